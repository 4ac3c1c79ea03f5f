//! `cargo xtask serve`: the unified API on SQLite, with one default tenant.

use anyhow::Context;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub(crate) struct Args {
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// SQLite database (created when missing); its credential key is kept in `<db>.key`.
    #[arg(long, default_value = "millwright.db")]
    db: PathBuf,
    /// The default tenant's API key: the file's first line, or a new key written there.
    #[arg(long)]
    api_key_file: Option<PathBuf>,
}

fn api_key(file: Option<&PathBuf>) -> anyhow::Result<String> {
    let generate = || format!("mw_{}", uuid::Uuid::new_v4().simple());
    let Some(path) = file else {
        let key = generate();
        eprintln!("API key of the default tenant (pass --api-key-file to keep it): {key}");
        return Ok(key);
    };
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let key = text.lines().next().unwrap_or("").trim().to_owned();
            anyhow::ensure!(
                !key.is_empty(),
                "{} has no API key on its first line",
                path.display()
            );
            Ok(key)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = generate();
            std::fs::write(path, format!("{key}\n"))
                .with_context(|| format!("writing {}", path.display()))?;
            eprintln!("wrote a new API key to {}", path.display());
            Ok(key)
        }
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

pub(crate) async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let key = api_key(args.api_key_file.as_ref())?;
    let store = mw_store::Store::open(mw_store::StoreOptions::at(&args.db))
        .await
        .with_context(|| format!("opening {}", args.db.display()))?;
    store.ensure_tenant("default", &key).await?;
    let runner = mw_sync::Runner::with_real_connectors(store, Default::default());
    let resumed = runner.resume_unfinished().await?;
    if resumed > 0 {
        eprintln!("resumed {resumed} unfinished sync(s)");
    }
    let listener = tokio::net::TcpListener::bind((args.host.as_str(), args.port))
        .await
        .with_context(|| format!("listening on {}:{}", args.host, args.port))?;
    let addr = listener.local_addr()?;
    println!("http://{addr}");
    mw_api::serve(
        listener,
        mw_api::app(mw_api::AppState::new(runner)),
        crate::shutdown_signal(),
    )
    .await?;
    Ok(ExitCode::SUCCESS)
}
