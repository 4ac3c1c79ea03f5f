//! RETRY-014, as processes: the unified API (`xtask serve`) is killed with SIGKILL in the middle
//! of a sync and started again on the same database; the sync resumes from its last committed
//! page and ends exact against the emulator's ground truth: nothing lost, nothing twice.
//!
//! The emulator runs in this test's process (it is not what gets killed), slowed by a latency
//! fault plan so that the sync is still running when the kill comes.

use mw_harness::api::ApiClient;
use mw_harness::emulator::AdminClient;
use mw_harness::truth::compare;
use mw_mocks::{EmulatorOptions, FaultPlan, Profile, SystemKind, serve};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Every read of the emulator waits 15–25 ms: a sync of the whole tiny profile in pages of five
/// runs for seconds.
const SLOW_READS: &str = r#"
[[rule]]
name = "slow reads"
method = "GET"
kind = "latency"
ms = 15
jitter_ms = 10
"#;

const KEY: &str = "mw_kill_resume_test_key";

/// The API process; killed (SIGKILL on Unix) when dropped, if it still runs.
struct Api {
    child: Child,
    base_url: String,
}

impl Api {
    fn start(db: &Path, key_file: &Path) -> Api {
        let mut child = Command::new(env!("CARGO_BIN_EXE_xtask"))
            .args(["serve", "--port", "0", "--db"])
            .arg(db)
            .arg("--api-key-file")
            .arg(key_file)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("xtask serve starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("xtask serve prints its URL");
        let base_url = line.trim().to_owned();
        assert!(base_url.starts_with("http://"), "printed {line:?}");
        Api { child, base_url }
    }

    /// SIGKILL: no shutdown handler runs, nothing is flushed but what SQLite committed.
    fn kill(mut self) {
        self.child.kill().expect("the API process can be killed");
        self.child.wait().expect("the killed process is reaped");
    }
}

impl Drop for Api {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn temp_dir(system: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mw-kill-resume-{system}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// The job as the API reports it now.
async fn job(api: &ApiClient, id: &str) -> Value {
    let ex = api
        .get(&format!("/v1/syncs/{id}"))
        .await
        .expect("API answers");
    assert_eq!(ex.status, 200, "{}", ex.body);
    ex.body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sap_sync_killed_mid_run_resumes_exact() {
    check(SystemKind::Sap).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn netsuite_sync_killed_mid_run_resumes_exact() {
    check(SystemKind::NetSuite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn maximo_sync_killed_mid_run_resumes_exact() {
    check(SystemKind::Maximo).await;
}

/// Syncs every purchase order of `system`'s tiny profile through a process that is killed after
/// three pages, restarts it, and compares what it serves with the truth.
async fn check(system: SystemKind) {
    let dir = temp_dir(system.as_str());
    let (db, key_file) = (dir.join("millwright.db"), dir.join("api-key"));
    std::fs::write(&key_file, KEY).expect("key file");

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let options = EmulatorOptions {
        system,
        profile: Profile::builtin("tiny").expect("tiny profile"),
        seed: 7,
        faults: Some(FaultPlan::from_toml(SLOW_READS).expect("a valid plan")),
    };
    let emulator = serve(options, listener).await.expect("emulator starts");
    let admin = AdminClient::new(&emulator.admin_url).expect("admin client");

    let first = Api::start(&db, &key_file);
    let api = ApiClient::new(&first.base_url, KEY).expect("API client");
    let created = api
        .create_connection(
            system.as_str(),
            &emulator.base_url,
            &emulator.credentials,
            json!({"initial_lookback_days": 3650, "page_size": 5}),
        )
        .await
        .expect("API answers");
    assert_eq!(created.status, 201, "{}", created.body);
    let connection = created.body["id"].as_str().expect("an id").to_owned();
    let started = api
        .post(
            &format!("/v1/connections/{connection}/syncs"),
            &json!({"entities": ["purchase-orders"]}),
        )
        .await
        .expect("API answers");
    assert_eq!(started.status, 202, "{}", started.body);
    let sync = started.body["id"].as_str().expect("a sync id").to_owned();

    // Kill once a few pages are committed and the sync is still running.
    let mut before_kill = 0;
    for _ in 0..2000 {
        let now = job(&api, &sync).await;
        let state = now["state"].as_str().unwrap_or_default();
        assert!(
            matches!(state, "queued" | "running"),
            "the sync ended before the kill: {now}"
        );
        before_kill = now["progress"]["purchase-orders"]["read"]
            .as_u64()
            .unwrap_or(0);
        if before_kill >= 15 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(before_kill >= 15, "the sync never committed a page");
    first.kill();

    // The same database, a new process: it resumes the job left running.
    let second = Api::start(&db, &key_file);
    let api = ApiClient::new(&second.base_url, KEY).expect("API client");
    let mut ended = Value::Null;
    for _ in 0..20 {
        let ex = api
            .get(&format!("/v1/syncs/{sync}?wait_seconds=30"))
            .await
            .expect("API answers");
        if matches!(ex.body["state"].as_str(), Some("succeeded" | "failed")) {
            ended = ex.body;
            break;
        }
    }
    assert_eq!(ended["state"], "succeeded", "{ended}");
    let read_after = ended["progress"]["purchase-orders"]["read"]
        .as_u64()
        .unwrap_or(0);
    assert!(
        read_after > before_kill,
        "the resumed job read nothing more ({read_after} after {before_kill} before the kill)"
    );

    let truth = admin
        .truth("purchase-orders", None, None)
        .await
        .expect("ground truth");
    let served = api
        .list_all(&connection, "purchase-orders", 500, None)
        .await
        .expect("API answers")
        .expect("records are listed");
    let diff = compare(&served, &truth.records);
    assert!(
        diff.is_exact(),
        "{}",
        diff.describe(truth.records.len(), served.len())
    );
    assert!(truth.records.len() > 15, "too little data to interrupt");

    drop(second);
    emulator.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}
