//! Notify: how the platform writes to people. Email goes out through SMTP, or, in the default
//! configuration, into an outbox folder of `.eml` files in the data folder, where an operator
//! (or a test) can read it.
//!
//! Architecture invariant: message bodies are composed by the caller in the recipient's
//! language; this crate only delivers, and never logs a body (it may hold a secret link).

pub mod queue;
pub mod templates;

use std::path::PathBuf;

use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::Deserialize;
use tamar_core::{Code, HasCode};

pub use queue::{MIGRATIONS, deliver_due, deliver_pending, enqueue, enqueue_now};

/// Where mail goes.
#[derive(Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum MailConfig {
    /// `.eml` files in a folder (relative paths are inside the data folder).
    Outbox { path: PathBuf },
    /// An SMTP relay. STARTTLS unless `starttls = false` (only for a relay on this host).
    Smtp {
        host: String,
        #[serde(default = "default_port")]
        port: u16,
        #[serde(default)]
        username: Option<String>,
        #[serde(default)]
        password: Option<String>,
        #[serde(default = "yes")]
        starttls: bool,
    },
}

fn default_port() -> u16 {
    587
}
fn yes() -> bool {
    true
}

impl std::fmt::Debug for MailConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MailConfig::Outbox { path } => f.debug_struct("Outbox").field("path", path).finish(),
            MailConfig::Smtp { host, port, username, starttls, .. } => f
                .debug_struct("Smtp")
                .field("host", host)
                .field("port", port)
                .field("username", username)
                .field("password", &"[redacted]")
                .field("starttls", starttls)
                .finish(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error("invalid address: {0}")]
    Address(String),
    #[error("could not compose the message: {0}")]
    Compose(String),
    #[error("could not deliver the message: {0}")]
    Deliver(String),
}

impl HasCode for NotifyError {
    fn code(&self) -> Code {
        match self {
            NotifyError::Address(_) => Code::INVALID_INPUT,
            NotifyError::Compose(_) | NotifyError::Deliver(_) => Code::UNAVAILABLE,
        }
    }
}

/// A plain-text email, already in the recipient's language.
#[derive(Clone)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub body: String,
}

enum Transport {
    /// A folder (0700) of `.eml` files (0600): they hold verification links.
    Outbox(PathBuf),
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

pub struct Mailer {
    transport: Transport,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("from", &self.from.to_string()).finish()
    }
}

impl Mailer {
    pub fn open(config: &MailConfig, from: &str) -> Result<Mailer, NotifyError> {
        let from: Mailbox = from.parse().map_err(|e| NotifyError::Address(format!("{from}: {e}")))?;
        let transport = match config {
            MailConfig::Outbox { path } => {
                tamar_store::private::private_dir(path).map_err(|e| NotifyError::Deliver(e.to_string()))?;
                Transport::Outbox(path.clone())
            }
            MailConfig::Smtp { host, port, username, password, starttls } => {
                let mut builder = if *starttls {
                    AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host).map_err(|e| NotifyError::Deliver(e.to_string()))?
                } else {
                    AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
                };
                builder = builder.port(*port);
                if let (Some(user), Some(pass)) = (username, password) {
                    builder = builder.credentials(Credentials::new(user.clone(), pass.clone()));
                }
                Transport::Smtp(builder.build())
            }
        };
        Ok(Mailer { transport, from })
    }

    pub async fn send(&self, email: &Email) -> Result<(), NotifyError> {
        let to: Mailbox = email.to.parse().map_err(|_| NotifyError::Address(email.to.clone()))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(email.subject.clone())
            .header(ContentType::TEXT_PLAIN)
            .body(email.body.clone())
            .map_err(|e| NotifyError::Compose(e.to_string()))?;
        match &self.transport {
            Transport::Outbox(folder) => write_private(folder, &message.formatted()).map_err(|e| NotifyError::Deliver(e.to_string())),
            Transport::Smtp(t) => t.send(message).await.map(|_| ()).map_err(|e| NotifyError::Deliver(e.to_string())),
        }
    }
}

/// Writes one message into the outbox as `<uuid>.eml`, readable by the platform's user only.
fn write_private(folder: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let path = folder.join(format!("{}.eml", uuid::Uuid::now_v7()));
    let mut file = tamar_store::private::create_private_file(&path)?;
    file.write_all(bytes)
}
