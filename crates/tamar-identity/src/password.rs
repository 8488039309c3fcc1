//! Passwords: Argon2id hashes, computed off the async workers through one bounded queue.
//!
//! A hash costs tens of milliseconds of one core and about 19 MiB. Run on an async worker, a
//! rush of sign-ins would stall every other request on that worker; run without a bound, it
//! would queue without end and every sign-in would time out. So each hash runs on the blocking
//! pool, at most [`HashingLimits::workers`] at once, with at most [`HashingLimits::queue`]
//! waiting; past that a sign-in (or a registration, or a password change) is refused at once
//! with [`IdentityError::Busy`], which the web layer answers with 503 and `Retry-After`, and
//! the cores left over keep serving pages.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use tokio::sync::Semaphore;

use crate::IdentityError;

/// How much password hashing a node takes on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HashingLimits {
    /// Hashes computed at once, each on a thread of its own.
    pub workers: usize,
    /// Hashes waiting for a worker; one more is refused.
    pub queue: usize,
}

impl Default for HashingLimits {
    /// Half the cores (at least one), so that the others serve pages during a rush, and 16
    /// waiting per worker: with hashes of about 25 ms, a wait of at most about 0.4 s.
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        let workers = (cores / 2).max(1);
        Self { workers, queue: workers * 16 }
    }
}

struct Queue {
    limits: HashingLimits,
    workers: Semaphore,
    /// Admitted hashes: computing or waiting.
    admitted: AtomicUsize,
    refused: AtomicUsize,
}

static QUEUE: OnceLock<Queue> = OnceLock::new();

fn queue() -> &'static Queue {
    QUEUE.get_or_init(|| Queue::new(HashingLimits::default()))
}

impl Queue {
    fn new(limits: HashingLimits) -> Self {
        let limits = HashingLimits { workers: limits.workers.max(1), queue: limits.queue };
        Self { limits, workers: Semaphore::new(limits.workers), admitted: AtomicUsize::new(0), refused: AtomicUsize::new(0) }
    }

    /// Runs `work` on the blocking pool when a worker is free, or refuses at once when the
    /// queue is full.
    async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, IdentityError> {
        let capacity = self.limits.workers + self.limits.queue;
        if self.admitted.fetch_add(1, Ordering::AcqRel) >= capacity {
            self.admitted.fetch_sub(1, Ordering::AcqRel);
            self.refused.fetch_add(1, Ordering::Relaxed);
            return Err(IdentityError::Busy);
        }
        // Leaves the count however this ends, a cancelled request included.
        struct Admitted<'a>(&'a AtomicUsize);
        impl Drop for Admitted<'_> {
            fn drop(&mut self) {
                self.0.fetch_sub(1, Ordering::AcqRel);
            }
        }
        let _admitted = Admitted(&self.admitted);
        let _worker = self.workers.acquire().await.map_err(|_| IdentityError::Hashing)?;
        tokio::task::spawn_blocking(work).await.map_err(|_| IdentityError::Hashing)
    }
}

/// Sets this process's limits; the first call wins (the server calls it once at start-up,
/// before any hash). Returns false when the limits were already set.
pub fn configure_hashing(limits: HashingLimits) -> bool {
    QUEUE.set(Queue::new(limits)).is_ok()
}

/// The limits in force, how many hashes are admitted now, and how many were refused so far.
pub fn hashing_load() -> (HashingLimits, usize, usize) {
    let q = queue();
    (q.limits, q.admitted.load(Ordering::Acquire), q.refused.load(Ordering::Relaxed))
}

fn hash_now(password: &str) -> Result<String, IdentityError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|_| IdentityError::Hashing)
}

fn verify_now(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// Hashes a password with Argon2id and the crate's recommended parameters (19 MiB, two
/// passes), through the queue.
pub async fn hash_password(password: &str) -> Result<String, IdentityError> {
    let password = password.to_owned();
    queue().run(move || hash_now(&password)).await?
}

/// Checks a password against a stored hash, through the queue.
pub async fn verify_password(password: &str, hash: &str) -> Result<bool, IdentityError> {
    let (password, hash) = (password.to_owned(), hash.to_owned());
    queue().run(move || verify_now(&password, &hash)).await
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use std::sync::Arc;

    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_full_queue_refuses_at_once_and_admits_again_once_drained() {
        let q = Arc::new(Queue::new(HashingLimits { workers: 1, queue: 2 }));
        let (release, gate) = std::sync::mpsc::channel::<()>();
        let gate = Arc::new(std::sync::Mutex::new(gate));
        // One computing (held until released) and two waiting: the queue is full.
        let mut held = Vec::new();
        for _ in 0..3 {
            let (q, gate) = (q.clone(), gate.clone());
            held.push(tokio::spawn(async move { q.run(move || gate.lock().unwrap().recv().is_ok()).await }));
        }
        while q.admitted.load(Ordering::Acquire) < 3 {
            tokio::task::yield_now().await;
        }
        // Refused without waiting for a worker (none is freed until after this).
        let fourth = tokio::time::timeout(std::time::Duration::from_secs(10), q.run(|| true)).await.expect("refused without waiting");
        assert!(matches!(fourth, Err(IdentityError::Busy)), "a fourth is refused");
        assert_eq!(q.refused.load(Ordering::Relaxed), 1);
        for _ in 0..3 {
            release.send(()).unwrap();
        }
        for h in held {
            assert!(h.await.unwrap().unwrap(), "every admitted hash finishes");
        }
        assert_eq!(q.admitted.load(Ordering::Acquire), 0);
        assert!(q.run(|| true).await.unwrap(), "admitted again once drained");
    }

    #[tokio::test]
    async fn a_cancelled_wait_leaves_the_queue() {
        let q = Arc::new(Queue::new(HashingLimits { workers: 1, queue: 0 }));
        let (release, gate) = std::sync::mpsc::channel::<()>();
        let busy = {
            let q = q.clone();
            tokio::spawn(async move { q.run(move || gate.recv().is_ok()).await })
        };
        while q.admitted.load(Ordering::Acquire) < 1 {
            tokio::task::yield_now().await;
        }
        assert!(matches!(q.run(|| true).await, Err(IdentityError::Busy)));
        release.send(()).unwrap();
        busy.await.unwrap().unwrap();
        // A request given up while waiting for a worker does not keep its place.
        let q2 = Arc::new(Queue::new(HashingLimits { workers: 1, queue: 1 }));
        let permit = q2.workers.acquire().await.unwrap();
        let waiting = {
            let q2 = q2.clone();
            tokio::spawn(async move { q2.run(|| true).await })
        };
        while q2.admitted.load(Ordering::Acquire) < 1 {
            tokio::task::yield_now().await;
        }
        waiting.abort();
        let _ = waiting.await;
        assert_eq!(q2.admitted.load(Ordering::Acquire), 0);
        drop(permit);
    }

    #[tokio::test]
    async fn hashes_verify_and_wrong_passwords_do_not() {
        let hash = hash_password("correct horse battery").await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash).await.unwrap());
        assert!(!verify_password("wrong horse battery", &hash).await.unwrap());
        assert!(!verify_password("anything", "not a hash").await.unwrap());
    }
}
