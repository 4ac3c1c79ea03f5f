//! The command-line interfaces other tools rely on (`cargo xtask mocks`, `cargo xtask serve`),
//! run as processes: what they print, what they write, and that what they serve answers.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn xtask(args: &[&str]) -> (Running, BufReader<std::process::ChildStdout>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("xtask starts");
    let stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
    (Running(child), stdout)
}

fn temp_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mw-xtask-{test}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// A plain HTTP/1.1 GET; returns the status code and body.
fn get(base_url: &str, path: &str, headers: &[(&str, &str)]) -> (u16, String) {
    let host = base_url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(host).expect("connects");
    let mut request = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).expect("sends");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("reads");
    let status = response[9..12].parse().expect("a status line");
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

fn basic(user: &str, password: &str) -> String {
    use base64::Engine as _;
    let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    format!("Basic {token}")
}

#[test]
fn mocks_writes_a_manifest_whose_credentials_work() {
    let dir = temp_dir("mocks");
    let manifest_path = dir.join("mocks.json");
    let (_child, mut stdout) = xtask(&[
        "mocks",
        "--systems",
        "sap",
        "--profile",
        "tiny",
        "--seed",
        "7",
        "--manifest",
        manifest_path.to_str().unwrap(),
    ]);
    // The manifest is printed (pretty JSON) once every emulator listens.
    let mut printed = String::new();
    loop {
        let mut line = String::new();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "xtask mocks ended early"
        );
        printed.push_str(&line);
        if line == "}\n" {
            break;
        }
    }
    let manifest: serde_json::Value = serde_json::from_str(&printed).unwrap();
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest_path).unwrap()).unwrap();
    assert_eq!(manifest, written);
    let sap = &manifest["systems"][0];
    assert_eq!(sap["system"], "sap");
    let base_url = sap["base_url"].as_str().unwrap();
    assert_eq!(
        sap["admin_url"].as_str().unwrap(),
        format!("{base_url}/__admin")
    );
    let creds = &sap["credentials"];
    for field in [
        "username",
        "password",
        "client_id",
        "client_secret",
        "token_url",
    ] {
        assert!(
            creds[field].is_string(),
            "credentials lack {field}: {creds}"
        );
    }
    let auth = basic(
        creds["username"].as_str().unwrap(),
        creds["password"].as_str().unwrap(),
    );
    let service =
        "/sap/opu/odata/sap/API_PURCHASEORDER_PROCESS_SRV/A_PurchaseOrder?$top=1&$format=json";
    let (status, body) = get(base_url, service, &[("Authorization", &auth)]);
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"PurchaseOrder\""), "{body}");
    let (status, _) = get(
        base_url,
        service,
        &[("Authorization", &basic("nobody", "nothing"))],
    );
    assert_eq!(status, 401);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn serve_prints_its_url_and_keeps_its_api_key() {
    let dir = temp_dir("serve");
    let db = dir.join("millwright.db");
    let key_file = dir.join("key");
    let args = [
        "serve",
        "--port",
        "0",
        "--db",
        db.to_str().unwrap(),
        "--api-key-file",
        key_file.to_str().unwrap(),
    ];
    for round in 0..2 {
        let (child, mut stdout) = xtask(&args);
        let mut url = String::new();
        stdout.read_line(&mut url).unwrap();
        let url = url.trim();
        assert!(
            url.starts_with("http://127.0.0.1:"),
            "round {round}: {url:?}"
        );
        let key = std::fs::read_to_string(&key_file).unwrap();
        let key = key.trim();
        let (status, _) = get(url, "/healthz", &[]);
        assert_eq!(status, 200);
        let bearer = format!("Bearer {key}");
        let (status, body) = get(url, "/v1/connections", &[("Authorization", &bearer)]);
        assert_eq!(
            (status, body.as_str()),
            (200, r#"{"data":[]}"#),
            "round {round}"
        );
        let (status, _) = get(url, "/v1/connections", &[("Authorization", "Bearer wrong")]);
        assert_eq!(status, 401);
        drop(child);
    }
    let _ = std::fs::remove_dir_all(dir);
}
