//! The real `claimdesk serve` over real HTTP: a harness that starts the
//! server on a free port with its own database, and a small cookie-keeping
//! client.

mod api;
mod bad_input;
mod browser;
mod budget;
mod cluster;
mod cluster_bench;
mod desk;
mod explained;
mod feeds;
mod hardening;
mod hardening2;
mod jobs;
mod learning;
mod matching;
mod memory;
mod notes;
mod public;
mod reports;
mod routes;
mod schemathesis;
mod triage;
mod workflow;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use claimdesk_tests::claimdesk_bin;

pub struct Server {
    child: Child,
    pub base: String,
    pub db: String,
    /// The first admin's password, printed once at first start.
    pub admin_password: String,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl Server {
    /// Starts `claimdesk serve --demo` on `db` and waits until it answers.
    pub fn start(db: &str, extra: &[&str]) -> Server {
        // Port 0: the server picks a free port and prints it, so parallel
        // tests never race for one. The built-in plugins load from the
        // binary's own directory.
        let mut args = vec!["serve", "--demo", "--bind", "127.0.0.1:0", "--database", db, "--workers", "2"];
        args.extend_from_slice(extra);
        let mut child = Command::new(claimdesk_bin())
            .args(&args)
            .env_remove("CLAIMDESK_PLUGINS")
            // The fast profile unless `extra` asks for `--profile desk`.
            .env("CLAIMDESK_PROFILE", "fast")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let mut admin_password = String::new();
        let mut base = String::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let line = rx.recv_timeout(deadline.saturating_duration_since(Instant::now())).expect("the server printed its login line");
            if let Some(url) = line.strip_prefix("claimdesk is serving at ") {
                base = url.trim_end_matches('/').to_owned();
            }
            if let Some(rest) = line.strip_prefix("log in as admin with password ") {
                admin_password = rest.split_whitespace().next().unwrap().to_owned();
            }
            if line.starts_with("log in") {
                break;
            }
        }
        let server = Server { child, base, db: db.to_owned(), admin_password };
        let client = Client::new(&server.base);
        while client.get("/healthz").status != 200 {
            assert!(Instant::now() < deadline, "the server did not answer /healthz");
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    pub fn client(&self) -> Client {
        Client::new(&self.base)
    }

    /// A client logged in as a new user with `role`.
    pub fn user(&self, name: &str, role: &str) -> Client {
        add_user(&self.db, name, role, &password_of(name));
        let client = self.client();
        client.login(name, &password_of(name));
        client
    }

    pub fn admin(&self) -> Client {
        let client = self.client();
        client.login("admin", &self.admin_password);
        client
    }

    /// A bearer token for user `name`.
    pub fn token(&self, name: &str) -> String {
        let out = crate::claimdesk(&["token", "create", "--user", name, "--database", &self.db]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A `claimdesk worker` on `db` (fast profile), killed with SIGKILL when
/// dropped or by [`Worker::kill`]; its log goes to a file in `log_dir`.
pub struct Worker {
    child: Option<Child>,
    log: std::path::PathBuf,
}

impl Worker {
    pub fn start(db: &str, name: &str, log_dir: &std::path::Path) -> Worker {
        Worker::start_with(db, name, log_dir, &[])
    }

    /// With more arguments (`--allow-private-feeds`).
    pub fn start_with(db: &str, name: &str, log_dir: &std::path::Path, extra: &[&str]) -> Worker {
        let log_path = log_dir.join(format!("{name}.log"));
        let log = std::fs::File::create(&log_path).unwrap();
        let child = Command::new(claimdesk_bin())
            .args(["worker", "--database", db, "--name", name, "--concurrency", "2"])
            .args(extra)
            .env_remove("CLAIMDESK_PLUGINS")
            .env("CLAIMDESK_PROFILE", "fast")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        Worker { child: Some(child), log: log_path }
    }

    /// Whether the process is still running.
    pub fn running(&mut self) -> bool {
        self.child.as_mut().is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }

    /// The end of what the worker logged, for a failing assertion.
    pub fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let start = log.len().saturating_sub(6000);
        let start = (start..log.len()).find(|&i| log.is_char_boundary(i)).unwrap_or(log.len());
        log[start..].to_owned()
    }

    /// `kill -9`: the worker gets no chance to hand its jobs back.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Follows a job's URL until it is done or failed (or `limit` passes,
/// then fails showing what `worker` logged).
pub fn wait_for_job(api: &Client, url: &str, limit: Duration, worker: &Worker) -> serde_json::Value {
    let deadline = Instant::now() + limit;
    loop {
        let job = api.get(url).json();
        if job["state"] == "done" || job["state"] == "failed" {
            return job;
        }
        assert!(Instant::now() < deadline, "job {url} still {job} after {limit:?}; the worker logged:\n{}", worker.log_tail());
        std::thread::sleep(Duration::from_millis(100));
    }
}

pub fn password_of(name: &str) -> String {
    format!("{name}-secret-pw")
}

pub fn add_user(db: &str, name: &str, role: &str, password: &str) {
    let out = claimdesk_with_password(&["user", "add", name, "--role", role, "--password-stdin", "--database", db], password);
    assert!(out.status.success(), "user add: {}", String::from_utf8_lossy(&out.stderr));
}

/// Runs `claimdesk ARGS` with `password` as the first line of its input.
pub fn claimdesk_with_password(args: &[&str], password: &str) -> std::process::Output {
    let mut child = Command::new(claimdesk_bin())
        .args(args)
        .env("CLAIMDESK_PROFILE", "fast")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(format!("{password}\n").as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub location: Option<String>,
    pub set_cookie: Vec<String>,
    pub content_type: String,
    pub content_disposition: Option<String>,
    pub csp: Option<String>,
    pub body: String,
    /// Every header, names in lower case.
    pub headers: Vec<(String, String)>,
}

impl Response {
    /// The first `name` header (lower case).
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// An HTTP client that keeps the session cookie, follows no redirects and
/// treats every status as an answer.
pub struct Client {
    agent: ureq::Agent,
    base: String,
    cookie: std::sync::Mutex<Option<String>>,
    pub token: Option<String>,
    /// Sent with every request (e.g. a proxy's `X-Forwarded-For`).
    pub extra: Vec<(String, String)>,
}

impl Client {
    pub fn new(base: &str) -> Client {
        let agent = ureq::Agent::config_builder()
            .max_redirects(0)
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        Client { agent, base: base.to_owned(), cookie: Default::default(), token: None, extra: Vec::new() }
    }

    /// The session cookie as the browser would send it.
    pub fn cookie(&self) -> Option<String> {
        self.cookie.lock().unwrap().clone()
    }

    /// A client sending `cookie` (a copy of another client's session).
    pub fn with_cookie(base: &str, cookie: &str) -> Client {
        let client = Client::new(base);
        *client.cookie.lock().unwrap() = Some(cookie.to_owned());
        client
    }

    pub fn with_token(base: &str, token: &str) -> Client {
        Client { token: Some(token.to_owned()), ..Client::new(base) }
    }

    fn finish(&self, result: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Response {
        let mut resp = result.unwrap();
        let header = |name: &str| resp.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let location = header("location");
        let content_type = header("content-type").unwrap_or_default();
        let content_disposition = header("content-disposition");
        let csp = header("content-security-policy");
        let set_cookie: Vec<String> =
            resp.headers().get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).map(str::to_owned).collect();
        for c in &set_cookie {
            if let Some(pair) = c.split(';').next().filter(|p| p.starts_with("claimdesk_session=")) {
                *self.cookie.lock().unwrap() = Some(pair.to_owned());
            }
        }
        let headers = resp.headers().iter().filter_map(|(n, v)| Some((n.as_str().to_owned(), v.to_str().ok()?.to_owned()))).collect();
        let body = resp.body_mut().with_config().limit(64 * 1024 * 1024).read_to_string().unwrap_or_default();
        Response { status: resp.status().as_u16(), location, set_cookie, content_type, content_disposition, csp, body, headers }
    }

    fn headers<B>(&self, mut req: ureq::RequestBuilder<B>) -> ureq::RequestBuilder<B> {
        if let Some(c) = self.cookie.lock().unwrap().as_ref() {
            req = req.header("Cookie", c);
        }
        if let Some(t) = &self.token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        for (name, value) in &self.extra {
            req = req.header(name.as_str(), value.as_str());
        }
        req
    }

    pub fn get(&self, path: &str) -> Response {
        let req = self.headers(self.agent.get(format!("{}{path}", self.base)));
        self.finish(req.call())
    }

    pub fn head(&self, path: &str) -> Response {
        let req = self.headers(self.agent.head(format!("{}{path}", self.base)));
        self.finish(req.call())
    }

    pub fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        let req = self.headers(self.agent.post(format!("{}{path}", self.base)));
        self.finish(req.send_form(fields.iter().copied()))
    }

    pub fn post_raw(&self, path: &str, content_type: &str, body: Vec<u8>) -> Response {
        let req = self.headers(self.agent.post(format!("{}{path}", self.base))).header("Content-Type", content_type);
        self.finish(req.send(body))
    }

    pub fn post_json(&self, path: &str, value: &serde_json::Value) -> Response {
        self.post_raw(path, "application/json", serde_json::to_vec(value).unwrap())
    }

    pub fn put_json(&self, path: &str, value: &serde_json::Value) -> Response {
        let req = self.headers(self.agent.put(format!("{}{path}", self.base))).header("Content-Type", "application/json");
        self.finish(req.send(serde_json::to_vec(value).unwrap()))
    }

    pub fn delete(&self, path: &str) -> Response {
        let req = self.headers(self.agent.delete(format!("{}{path}", self.base)));
        self.finish(req.call())
    }

    /// Posts a multipart form: text fields, then an optional file.
    pub fn post_multipart(&self, path: &str, fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> Response {
        let boundary = "claimdesk-test-boundary-7f3a9c";
        let mut body = Vec::new();
        for (name, value) in fields {
            write!(body, "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").unwrap();
        }
        if let Some((file_name, data)) = file {
            write!(
                body,
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .unwrap();
            body.extend_from_slice(data);
            body.extend_from_slice(b"\r\n");
        }
        write!(body, "--{boundary}--\r\n").unwrap();
        self.post_raw(path, &format!("multipart/form-data; boundary={boundary}"), body)
    }

    /// This session's CSRF token, read from a page's form.
    pub fn csrf(&self) -> String {
        let page = self.get("/documents");
        let page = if page.status == 200 { page } else { self.get("/login") };
        csrf_in(&page.body).expect("a page with a form")
    }

    pub fn login(&self, name: &str, password: &str) {
        let page = self.get("/login");
        let token = csrf_in(&page.body).unwrap();
        let resp = self.post_form("/login", &[("csrf_token", &token), ("name", name), ("password", password), ("next", "/queue")]);
        assert_eq!(resp.status, 303, "login of {name} failed: {}", resp.body);
    }
}

pub fn csrf_in(html: &str) -> Option<String> {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker)? + marker.len();
    Some(html[start..].split('"').next()?.to_owned())
}

/// The value of hidden field `name` in the form posting to `action`.
pub fn form_value(html: &str, action: &str, name: &str) -> Option<String> {
    let form = html.split("<form").find(|f| f.contains(&format!("action=\"{action}\"")))?;
    let marker = format!("name=\"{name}\" value=\"");
    let start = form.find(&marker)? + marker.len();
    Some(form[start..].split('"').next()?.to_owned())
}

/// Posts claim action `action` from the claim page's forms (its CSRF token,
/// version and last event seen), plus `fields`.
pub fn act(client: &Client, id: i64, action: &str, fields: &[(&str, &str)]) -> Response {
    let page = client.get(&format!("/claims/{id}")).body;
    let version = form_value(&page, &format!("/claims/{id}/evidence"), "version").unwrap();
    let seen = form_value(&page, &format!("/claims/{id}/evidence"), "seen").unwrap();
    let token = csrf_in(&page).unwrap();
    let mut all = vec![("csrf_token", token.as_str()), ("version", version.as_str()), ("seen", seen.as_str())];
    all.extend_from_slice(fields);
    client.post_form(&format!("/claims/{id}/{action}"), &all)
}

/// The id of the queue's first claim whose text contains `needle`.
pub fn claim_id_with(client: &Client, needle: &str) -> i64 {
    let html = client.get(&format!("/queue?q={}", needle.replace(' ', "+"))).body;
    let start = html.find("href=\"/claims/").expect("a claim in the queue") + "href=\"/claims/".len();
    html[start..].split('"').next().unwrap().parse().unwrap()
}

/// The id of the claim of `document` whose text contains `needle` (API).
pub fn claim_in(api: &Client, document: i64, needle: &str) -> i64 {
    let doc = api.get(&format!("/api/v1/documents/{document}")).json();
    let claims = doc["claims"].as_array().cloned().unwrap_or_default();
    let claim = claims.iter().find(|c| c["text"].as_str().is_some_and(|t| t.contains(needle)));
    claim.and_then(|c| c["id"].as_i64()).unwrap_or_else(|| panic!("no claim with {needle:?} in {doc}"))
}

/// One server per configured database: SQLite always, PostgreSQL when
/// `CLAIMDESK_TEST_POSTGRES` is set.
pub fn servers(name: &str) -> Vec<Server> {
    claimdesk_tests::test_database_urls(&format!("web_{name}")).iter().map(|db| Server::start(db, &[])).collect()
}
