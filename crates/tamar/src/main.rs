//! `tamar`: the one binary. It only wires the crates together: configuration, logging, the
//! platform and the web app.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

use tamar::config::{Config, LogFormat, Overrides};
use tamar::{demo, platform};

/// mimalloc serves the many small, short-lived allocations of request handling faster than the
/// system allocator. Version 2 (the crate's `v2` feature): it gives freed memory back to the
/// system after 10 ms, where version 3 keeps it for a second, which under a rush held twice the
/// memory and swung by 200 MiB from one second to the next (`bench/README.md`, the rush).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use tamar::platform::Platform;

#[derive(Parser)]
#[command(name = "tamar", version, about = "Tamar, the digital-government platform")]
struct Cli {
    /// A TOML configuration file; `TAMAR_*` environment variables override it.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct Place {
    /// Address to listen on.
    #[arg(long)]
    addr: Option<SocketAddr>,
    /// The data folder (SQLite file, blobs, keys).
    #[arg(long)]
    data: Option<PathBuf>,
}

#[derive(Args)]
struct Data {
    /// The data folder (SQLite file, blobs, keys).
    #[arg(long)]
    data: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the platform over HTTP.
    Serve(Place),
    /// Make (or reuse) a data folder with trilingual demo data, and serve it.
    Demo(Place),
    /// Apply pending database migrations.
    Migrate(Data),
    /// Recompute the whole tamper-evident log from the database, check every signed head, and
    /// check that the log extends the checkpoints kept outside the database.
    VerifyLog(VerifyLogArgs),
    /// Check a Tamar digital signature offline, with the signing CA's published certificate.
    VerifySignature(VerifySignatureArgs),
    /// Load content into the data folder's database.
    #[command(subcommand)]
    Import(Import),
}

#[derive(Subcommand)]
enum Import {
    /// Publish the entries of a JSON catalogue file (the format of an older portal's export,
    /// and of the demo content: `crates/tamar-web-portal/demo/FORMAT.md`). Entries whose
    /// address exists are left as they are, so importing twice changes nothing.
    Catalogue {
        /// The catalogue file.
        file: PathBuf,
        #[command(flatten)]
        place: Data,
    },
}

#[derive(Args)]
struct VerifyLogArgs {
    #[command(flatten)]
    place: Data,
    /// A checkpoint of the log kept elsewhere (from /checkpoint, the transparency page, or a
    /// copy of the checkpoint file): the database must extend it. May be given more than once.
    /// The newest checkpoints in the checkpoint file and the blob store are checked as well.
    #[arg(long = "trusted-head", value_name = "FILE")]
    trusted_heads: Vec<PathBuf>,
    /// The log's note verifier key (`name+id+key`, from /api/v1/ledger/verifier-key), or a file
    /// holding it. Without it, the key in the data folder is trusted.
    #[arg(long, value_name = "KEY|FILE")]
    public_key: Option<String>,
}

#[derive(Args)]
struct VerifySignatureArgs {
    /// The Tamar Signing CA certificate (PEM), from /signing/ca.pem.
    #[arg(long)]
    ca: PathBuf,
    /// The signer's certificate (PEM).
    #[arg(long)]
    certificate: PathBuf,
    /// The signature, base64.
    #[arg(long)]
    signature: String,
    /// The signed document (its SHA-256 is computed) ...
    #[arg(long, conflicts_with = "hash", required_unless_present = "hash")]
    document: Option<PathBuf>,
    /// ... or its SHA-256 in hexadecimal.
    #[arg(long)]
    hash: Option<String>,
}

fn main() -> ExitCode {
    // Whatever the platform writes (database, keys, blobs, mail, search index) is for its own
    // user only: files 0600 and folders 0700, before any thread starts.
    #[cfg(unix)]
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    let cli = Cli::parse();
    if let Command::VerifySignature(args) = &cli.command {
        return verify_signature(args);
    }
    let overrides = match &cli.command {
        Command::Serve(p) => Overrides { addr: p.addr, data_dir: p.data.clone() },
        Command::Demo(p) => {
            Overrides { addr: p.addr, data_dir: Some(p.data.clone().unwrap_or_else(|| PathBuf::from("tamar-demo-data"))) }
        }
        Command::Migrate(d) | Command::VerifyLog(VerifyLogArgs { place: d, .. }) => Overrides { addr: None, data_dir: d.data.clone() },
        Command::VerifySignature(_) => Overrides::default(),
        Command::Import(Import::Catalogue { place, .. }) => Overrides { addr: None, data_dir: place.data.clone() },
    };
    let config = match Config::load(cli.config.as_deref(), overrides) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("tamar: configuration: {error}");
            return ExitCode::from(2);
        }
    };
    init_logging(&config);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(error) => {
            eprintln!("tamar: cannot start the runtime: {error}");
            return ExitCode::from(2);
        }
    };
    let outcome = runtime.block_on(async move {
        match cli.command {
            Command::Serve(_) => serve(&config, false).await,
            Command::Demo(_) => serve(&config, true).await,
            Command::Migrate(_) => migrate(&config).await,
            Command::VerifyLog(args) => verify_log(&config, &args).await,
            Command::VerifySignature(_) => Ok(ExitCode::from(2)),
            Command::Import(Import::Catalogue { file, .. }) => import_catalogue(&config, &file).await,
        }
    });
    match outcome {
        Ok(code) => code,
        Err(error) => {
            eprintln!("tamar: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn init_logging(config: &Config) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&config.log_level));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match config.log_format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

async fn serve(config: &Config, demo: bool) -> anyhow::Result<ExitCode> {
    // The metrics recorder first, so that what the ledger counts while starting is kept.
    tamar_web::ops::metrics_handle();
    tamar_identity::configure_hashing(config.hashing_limits());
    let mut platform = Platform::open(config).await?;
    if demo {
        let created = demo::seed(&platform.state()).await?;
        if created == 0 {
            eprintln!("Reusing the demo data in {}", config.data_dir.display());
        }
    }
    let listener = TcpListener::bind(config.addr).await.with_context(|| format!("cannot listen on {}", config.addr))?;
    // Listen for SIGTERM before announcing the address, so that a signal sent as soon as the
    // address appears is not missed.
    let shutdown = shutdown_signal()?;
    let addr = listener.local_addr()?;
    // With port 0 the address is known only now; links and the OIDC issuer need it.
    // A browser needs a host name, not an address, for passkeys: loopback is `localhost`.
    if config.public_url.is_none() {
        platform.web.public_url = if addr.ip().is_loopback() { format!("http://localhost:{}", addr.port()) } else { format!("http://{addr}") };
    }
    announce(&platform.web.public_url, config, demo);
    tracing::info!(%addr, "serving");
    let jobs = tamar_web::schedule::spawn(platform.state(), tamar::modules::jobs());
    let app = tamar::modules::app(platform.state());
    // The peer address feeds sign-in throttling.
    let service = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, service).with_graceful_shutdown(shutdown).await.context("server failed")?;
    tracing::info!("in-flight requests finished; stopping the jobs and flushing the log");
    jobs.stop().await;
    platform.close().await;
    Ok(ExitCode::SUCCESS)
}

/// Prints where Tamar serves (and the demo accounts). A closed stdout must not stop a server,
/// so write errors are ignored.
fn announce(url: &str, config: &Config, demo: bool) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "Tamar is serving at {url}/ (English /en/, 繁體 /tc/, 简体 /sc/)");
    let _ = writeln!(out, "Data folder: {}", config.data_dir.display());
    if demo {
        let _ = writeln!(out, "Demo accounts (password for all: {}):", demo::DEMO_PASSWORD);
        for a in demo::ACCOUNTS {
            let _ = writeln!(out, "  {:<28} {}", a.email, a.what);
        }
        let _ = writeln!(
            out,
            "Officers and the administrator also give a code: add the key {} to an authenticator app (TOTP, 6 digits, 30 s).",
            demo::DEMO_TOTP_KEY
        );
    }
    let _ = out.flush();
}

/// SIGTERM or Ctrl-C: stop accepting, let in-flight requests finish. The handlers are
/// installed now; the returned future completes on the first signal.
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("cannot listen for SIGTERM")?;
    Ok(async move {
        #[cfg(unix)]
        let terminate = terminate.recv();
        #[cfg(not(unix))]
        let terminate = std::future::pending::<Option<()>>();
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = terminate => {}
        }
        tracing::info!("shutting down");
    })
}

async fn import_catalogue(config: &Config, file: &std::path::Path) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let entries: Vec<tamar_portal::import::CatalogueEntry> =
        serde_json::from_str(&text).with_context(|| format!("{} is not a catalogue file", file.display()))?;
    let platform = Platform::open(config).await?;
    let state = platform.state();
    let departments = tamar_tenancy::list(&state.db).await?.into_iter().map(|d| (d.code, d.id)).collect();
    let bar = platform::progress(entries.len() as u64, "catalogue");
    let mut report = tamar_portal::import::ImportReport::default();
    for chunk in entries.chunks(500) {
        let done = tamar_portal::import::import(&state.db, &state.ledger, chunk, &departments)
            .await
            .map_err(|(slug, error)| anyhow::anyhow!("entry {slug}: {error}"))?;
        report.created += done.created;
        report.existing += done.existing;
        bar.inc(chunk.len() as u64);
    }
    bar.finish_and_clear();
    state.ledger.sync().await?;
    println!("{} entries published, {} already there.", report.created, report.existing);
    platform.close().await;
    Ok(ExitCode::SUCCESS)
}

async fn migrate(config: &Config) -> anyhow::Result<ExitCode> {
    let db = platform::connect(config).await?;
    let applied = platform::migrate(&db).await?;
    if applied.is_empty() {
        println!("The database is up to date.");
    }
    for id in applied {
        println!("applied {id}");
    }
    db.close().await;
    Ok(ExitCode::SUCCESS)
}

async fn verify_log(config: &Config, args: &VerifyLogArgs) -> anyhow::Result<ExitCode> {
    use tamar_ledger::{Checkpoint, TrustedHead, VerifyFailure};
    // The key: pinned by the person checking, or, failing that, the one in the data folder.
    let pinned = args.public_key.as_deref().map(note_key_from).transpose()?;
    let key = match &pinned {
        Some(note_key) => *note_key.public_key(),
        None => {
            let key_path = config.ledger_key_path();
            anyhow::ensure!(key_path.exists(), "no ledger key at {}", key_path.display());
            println!(
                "No --public-key given: trusting the ledger key in {}. Whoever can change that file can re-sign the log; \
                 pin the key published at /api/v1/ledger/verifier-key with --public-key.",
                key_path.display()
            );
            tamar_ledger::load_or_create_signing_key(&key_path)?.verifying_key()
        }
    };
    let open = |text: &str| match &pinned {
        Some(note_key) => Checkpoint::open(text, note_key),
        None => Checkpoint::open_with_key(text, &key),
    };

    // The heads kept outside the database: given on the command line, in the checkpoint file,
    // in the blob store.
    let mut found: Vec<(String, String)> = Vec::new();
    for path in &args.trusted_heads {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        let mut text = text.replace("\r\n", "\n");
        if !text.ends_with('\n') {
            text.push('\n');
        }
        let note = tamar_ledger::last_checkpoint(&text).with_context(|| format!("{} holds no checkpoint", path.display()))?;
        found.push((format!("the trusted head in {}", path.display()), note.to_owned()));
    }
    let file = config.ledger_checkpoint_path();
    match tamar_ledger::latest_checkpoint_in_file(&file).with_context(|| format!("cannot read {}", file.display()))? {
        Some(note) => found.push((format!("the newest checkpoint in {}", file.display()), note)),
        None => println!("No checkpoint in {}: nothing to compare with there.", file.display()),
    }
    let blobs = tamar_store::Blobs::open(&config.blobs()).context("cannot open blob storage")?;
    match tamar_ledger::latest_checkpoint_in_blobs(&blobs).await.context("cannot read the checkpoints in the blob store")? {
        Some(note) => found.push(("the newest checkpoint in the blob store".to_owned(), note)),
        None => println!("No checkpoint in the blob store: nothing to compare with there."),
    }
    let mut trusted = Vec::new();
    for (name, note) in found {
        match open(&note) {
            Ok(c) => trusted.push(TrustedHead { name, tree_size: c.tree_size, root_hash: c.root_hash }),
            Err(error) => {
                let failure = VerifyFailure::Untrusted { head: name, reason: error.to_string() };
                println!("The log has been tampered with: {failure}");
                return Ok(ExitCode::FAILURE);
            }
        }
    }

    let db = platform::connect(config).await?;
    let bar = platform::progress(0, "verifying");
    let outcome = tamar_ledger::verify_log_with(&db, &key, &trusted, |done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })
    .await?;
    bar.finish_and_clear();
    db.close().await;
    match outcome {
        Ok(report) => {
            println!("The log is intact: {} entries, {} signed tree heads.", report.entries, report.tree_heads);
            for head in &trusted {
                println!("It extends {} ({} entries).", head.name, head.tree_size);
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(failure) => {
            println!("The log has been tampered with: {failure}");
            Ok(ExitCode::FAILURE)
        }
    }
}

/// A note verifier key given as itself, or as a file holding it.
fn note_key_from(given: &str) -> anyhow::Result<tamar_ledger::NoteKey> {
    if let Ok(key) = tamar_ledger::NoteKey::parse(given) {
        return Ok(key);
    }
    let text = std::fs::read_to_string(given)
        .with_context(|| format!("--public-key: {given:?} is neither a note verifier key (name+id+key) nor a readable file"))?;
    tamar_ledger::NoteKey::parse(&text).with_context(|| format!("--public-key: {given}"))
}

/// Offline: needs no data folder and no database.
fn verify_signature(args: &VerifySignatureArgs) -> ExitCode {
    use base64::Engine;
    use sha2::Digest;
    let outcome = (|| -> anyhow::Result<Result<tamar_signing::Signer, String>> {
        let ca = tamar_signing::certificate_der(&std::fs::read(&args.ca).with_context(|| format!("cannot read {}", args.ca.display()))?)?;
        let cert = tamar_signing::certificate_der(
            &std::fs::read(&args.certificate).with_context(|| format!("cannot read {}", args.certificate.display()))?,
        )?;
        let digest = match (&args.document, &args.hash) {
            (Some(path), _) => sha2::Sha256::digest(std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?).to_vec(),
            (None, Some(hex_text)) => hex::decode(hex_text.trim()).context("the hash is not hexadecimal")?,
            (None, None) => anyhow::bail!("give --document or --hash"),
        };
        let signature = base64::engine::general_purpose::STANDARD.decode(args.signature.trim()).context("the signature is not base64")?;
        Ok(match tamar_signing::verify_signature(&ca, &cert, &digest, &signature, chrono::Utc::now()) {
            Ok(signer) => Ok(signer),
            Err(tamar_signing::SigningError::BadSignature(why)) => Err(why.to_owned()),
            Err(other) => return Err(other.into()),
        })
    })();
    match outcome {
        Ok(Ok(signer)) => {
            println!("Valid: signed by {} ({}), certified by the Tamar Signing CA.", signer.name, signer.serial);
            ExitCode::SUCCESS
        }
        Ok(Err(why)) => {
            println!("Not valid: {why}.");
            ExitCode::FAILURE
        }
        Err(error) => {
            eprintln!("tamar: {error:#}");
            ExitCode::from(2)
        }
    }
}
