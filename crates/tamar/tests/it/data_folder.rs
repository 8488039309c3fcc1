//! The data folder is for the platform's own user: no file or folder under it may be read by
//! the group or by others, on a fresh folder and on one an older version left readable.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt;

use super::*;

/// Every path under `root` (and `root`) whose permissions give anything to group or others.
fn readable_by_others(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(path) = stack.pop() {
        // A running server adds and removes files (the search index's) while this looks.
        let Ok(meta) = std::fs::symlink_metadata(&path) else { continue };
        if meta.file_type().is_symlink() {
            continue;
        }
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            out.push(format!("{} {:o}", path.display(), mode));
        }
        if meta.is_dir()
            && let Ok(entries) = std::fs::read_dir(&path)
        {
            stack.extend(entries.filter_map(Result::ok).map(|e| e.path()));
        }
    }
    out
}

/// One HTTP/1.1 exchange over a fresh connection; returns the head and the body.
fn http(port: u16, request: &str) -> (String, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let response = String::from_utf8_lossy(&response).into_owned();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    (head.to_owned(), body.to_owned())
}

/// Registers a citizen through the page, as a browser would, which mails a verification link.
fn register(port: u16, email: &str) {
    let (head, body) = http(port, "GET /en/register HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    let cookies: Vec<&str> = head
        .lines()
        .filter_map(|l| l.strip_prefix("set-cookie: ").or_else(|| l.strip_prefix("Set-Cookie: ")))
        .map(|c| c.split(';').next().unwrap())
        .collect();
    let token = body.split("name=\"csrf_token\" value=\"").nth(1).unwrap().split('"').next().unwrap();
    let form = format!("csrf_token={token}&name_en=CHAN+Siu-ming&name_zh=&email={}&password=a+long+enough+passphrase", email.replace('@', "%40"));
    let request = format!(
        "POST /en/register HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nCookie: {}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{form}",
        cookies.join("; "),
        form.len()
    );
    let (head, _) = http(port, &request);
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
}

fn port(printed: &str) -> u16 {
    let at = printed.split("http://localhost:").nth(1).unwrap();
    at.chars().take_while(char::is_ascii_digit).collect::<String>().parse().unwrap()
}

/// Waits until the outbox holds `count` messages.
fn wait_for_mail(outbox: &Path, count: usize) {
    for _ in 0..300 {
        if std::fs::read_dir(outbox).map(|d| d.count()).unwrap_or(0) >= count {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("no mail reached {}", outbox.display());
}

#[test]
fn the_data_folder_is_readable_by_its_owner_only() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");

    // A fresh folder, and a mail with a verification link in the outbox.
    let (child, printed) = start_demo(&data, None);
    register(port(&printed), "first@example.hk");
    wait_for_mail(&data.join("outbox"), 1);
    // While it runs, SQLite's -wal and -shm files are there too.
    assert!(data.join("tamar.db-wal").exists() && data.join("tamar.db-shm").exists());
    assert_eq!(readable_by_others(&data), Vec::<String>::new());
    stop(child);
    assert!(data.join("tamar.db").exists() && data.join("keys").exists() && data.join("blobs").exists());
    assert_eq!(readable_by_others(&data), Vec::<String>::new());

    // An older version left everything readable by everyone: start-up takes it back.
    let mut stack = vec![data.clone()];
    while let Some(path) = stack.pop() {
        let meta = std::fs::symlink_metadata(&path).unwrap();
        let mode = if meta.is_dir() { 0o755 } else { 0o644 };
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        if meta.is_dir() {
            stack.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
        }
    }
    assert!(!readable_by_others(&data).is_empty());
    let (child, printed) = start_demo(&data, None);
    register(port(&printed), "second@example.hk");
    wait_for_mail(&data.join("outbox"), 2);
    assert_eq!(readable_by_others(&data), Vec::<String>::new());
    stop(child);
    assert_eq!(readable_by_others(&data), Vec::<String>::new());
}
