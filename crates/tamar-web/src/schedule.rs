//! The one scheduler of background jobs. Each job belongs to a module, which declares it with
//! a name, an interval and where it runs: on every node (work on the node's own state, such
//! as its search index or its visit counts), or on one node at a time, under a lease in the
//! database that the node renews while it works. Every run is counted and timed
//! (`tamar_job_runs_total{job,outcome}`, `tamar_job_duration_seconds{job}`), and a failure is
//! logged with the job's name; a failed run is tried again at the next tick.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::AppState;

/// Where a job runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// On every node, each on its own state.
    EveryNode,
    /// On one node at a time: the node that holds the job's lease.
    OneNode,
}

type RunFn = dyn Fn(AppState) -> Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send>> + Send + Sync;

/// A background job of a module.
#[derive(Clone)]
pub struct Job {
    pub name: &'static str,
    pub every: Duration,
    pub placement: Placement,
    run: Arc<RunFn>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job").field("name", &self.name).field("every", &self.every).field("placement", &self.placement).finish()
    }
}

impl Job {
    pub fn new<F, Fut>(name: &'static str, every: Duration, placement: Placement, run: F) -> Job
    where
        F: Fn(AppState) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = anyhow::Result<()>> + Send + 'static,
    {
        Job { name, every, placement, run: Arc::new(move |state| Box::pin(run(state))) }
    }

    /// Runs the job once, now, on this node, without the lease: for tests and for a job that
    /// another says must run before it goes on.
    pub async fn run_once(&self, state: &AppState) -> anyhow::Result<()> {
        (self.run)(state.clone()).await
    }
}

/// How long a one-node job's lease lasts past each tick: long enough that a slow run keeps
/// it, short enough that another node takes over soon after this one stops.
fn lease_span(every: Duration) -> Duration {
    (every * 3).max(Duration::from_secs(15))
}

/// What one tick of a job came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Ran,
    Failed,
    /// Another node holds the lease.
    Elsewhere,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Ran => "ok",
            Outcome::Failed => "error",
            Outcome::Elsewhere => "elsewhere",
        }
    }
}

/// Runs one tick of `job` as node `node`: takes or renews the lease first if the job runs on
/// one node, then runs it, counts and times it, and logs a failure.
pub async fn tick(job: &Job, state: &AppState, node: &str) -> Outcome {
    if job.placement == Placement::OneNode {
        let now = state.ledger.now();
        let until = now + chrono::Duration::from_std(lease_span(job.every)).unwrap_or_else(|_| chrono::Duration::seconds(60));
        match tamar_store::lease::acquire(&state.db, job.name, node, now, until).await {
            Ok(true) => {}
            Ok(false) => {
                metrics::counter!("tamar_job_runs_total", "job" => job.name, "outcome" => Outcome::Elsewhere.as_str()).increment(1);
                return Outcome::Elsewhere;
            }
            Err(error) => {
                tracing::warn!(job = job.name, %error, "could not take the job's lease");
                metrics::counter!("tamar_job_runs_total", "job" => job.name, "outcome" => Outcome::Failed.as_str()).increment(1);
                return Outcome::Failed;
            }
        }
    }
    let started = Instant::now();
    let outcome = match job.run_once(state).await {
        Ok(()) => Outcome::Ran,
        Err(error) => {
            tracing::warn!(job = job.name, error = format!("{error:#}"), "background job failed");
            Outcome::Failed
        }
    };
    metrics::histogram!("tamar_job_duration_seconds", "job" => job.name).record(started.elapsed().as_secs_f64());
    metrics::counter!("tamar_job_runs_total", "job" => job.name, "outcome" => outcome.as_str()).increment(1);
    outcome
}

/// This node's name in leases: unique per process.
pub fn node_name() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "tamar".into());
    format!("{host}-{}-{:016x}", std::process::id(), rand::random::<u64>())
}

/// The running jobs of a node, until [`Scheduler::stop`].
pub struct Scheduler {
    stop: tokio::sync::watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

/// How long a node that is shutting down waits for its jobs' runs to finish.
const STOP_WAIT: Duration = Duration::from_secs(10);

impl Scheduler {
    /// Stops every job: none starts another run, and a run under way is let finish (for up
    /// to ten seconds, then dropped: every job is written to be run again), so that nothing
    /// runs on once the node closes its database.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let deadline = tokio::time::Instant::now() + STOP_WAIT;
        for mut task in self.tasks {
            if tokio::time::timeout_at(deadline, &mut task).await.is_err() {
                tracing::warn!("a background job did not finish in time; stopped");
                task.abort();
                let _ = task.await;
            }
        }
    }
}

/// Starts every job on the current runtime; each ticks on its own interval, a run never
/// overlapping the job's previous one.
pub fn spawn(state: AppState, jobs: Vec<Job>) -> Scheduler {
    let node: Arc<str> = node_name().into();
    tracing::info!(jobs = jobs.len(), node = %node, "starting background jobs");
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let tasks = jobs
        .into_iter()
        .map(|job| {
            let state = state.clone();
            let node = node.clone();
            let mut stopped = stopped.clone();
            tokio::spawn(async move {
                let mut interval = tokio::time::interval(job.every);
                interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                loop {
                    tokio::select! {
                        _ = interval.tick() => {}
                        _ = stopped.wait_for(|stop| *stop) => break,
                    }
                    tick(&job, &state, &node).await;
                }
            })
        })
        .collect();
    Scheduler { stop, tasks }
}
