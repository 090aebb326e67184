//! The checker's desk (#15): what a working desk needs besides the review
//! loop, tested over real HTTP against the real binary.

use std::io::Write;
use std::process::{Command, Stdio};

use super::{password_of, servers};

/// Runs `claimdesk user reset-password NAME --password-stdin` with `password`.
fn reset_password(db: &str, name: &str, password: &str) -> std::process::Output {
    let mut child = Command::new(claimdesk_tests::claimdesk_bin())
        .args(["user", "reset-password", name, "--password-stdin", "--database", db])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(format!("{password}\n").as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

/// A lost password has a way back on the command line, and the reset ends
/// every session the user had.
#[test]
fn a_lost_password_is_reset_from_the_command_line_and_ends_sessions() {
    for server in servers("desk_reset") {
        let old = server.user("rosa", "admin");
        assert_eq!(old.get("/queue").status, 200);
        let out = reset_password(&server.db, "rosa", "a-brand-new-passphrase");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stdout).contains("sessions are ended"));
        // Another process changed the database: each node notices within
        // its session cache's freshness (2 s).
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(6);
        while old.get("/queue").status == 200 && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(250));
        }
        assert_eq!(old.get("/queue").status, 303, "the old session is over");
        let fresh = server.client();
        fresh.login("rosa", "a-brand-new-passphrase");
        assert_eq!(fresh.get("/queue").status, 200);
        let stranger = server.client();
        let token = super::csrf_in(&stranger.get("/login").body).unwrap();
        let with_old = stranger.post_form("/login", &[("csrf_token", &token), ("name", "rosa"), ("password", &password_of("rosa"))]);
        assert_eq!(with_old.status, 401, "the old password no longer logs in: {}", with_old.body);
        // Mistakes are usage errors that change nothing.
        let missing = reset_password(&server.db, "nobody", "a-brand-new-passphrase");
        assert_eq!(missing.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&missing.stderr).contains("no user named \"nobody\""));
        let short = reset_password(&server.db, "rosa", "short");
        assert_eq!(short.status.code(), Some(2));
        let again = server.client();
        again.login("rosa", "a-brand-new-passphrase");
    }
}
