//! The harness for `serve` tests: start the real `iopsite serve` on an ephemeral port over a fixture copy, speak
//! HTTP/1.1 to it over real TCP (raw bytes, so malformed and hostile requests can be sent as they are), and kill it
//! when the test ends. Every wait is bounded by [`BOUND`].

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::Duration;

use crate::support::{SiteTest, binary};

/// The longest any single wait in these tests may take before the test fails.
pub(crate) const BOUND: Duration = Duration::from_secs(30);

/// A running `iopsite serve`, killed on drop.
pub(crate) struct Server {
    child: Child,
    pub(crate) address: SocketAddr,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
}

/// One HTTP answer.
pub(crate) struct Reply {
    pub(crate) status: u16,
    head: String,
    pub(crate) body: String,
}

impl Reply {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }

    #[track_caller]
    pub(crate) fn has(&self, text: &str) -> &Self {
        assert!(
            self.body.contains(text),
            "the answer ({}) does not contain {text:?}:\n{}",
            self.status,
            self.body
        );
        self
    }
}

impl Server {
    /// Start `iopsite serve ARGS` (on port 0 unless ARGS name one) in the site and read the address from its first
    /// line.
    pub(crate) fn start(site: &SiteTest, args: &[&str]) -> Server {
        Server::start_with_env(site, args, &[])
    }

    /// [`Server::start`] with these environment variables set (a password, a secret).
    pub(crate) fn start_with_env(site: &SiteTest, args: &[&str], env: &[(&str, &str)]) -> Server {
        let port: &[&str] = if args.contains(&"--port") {
            &[]
        } else {
            &["--port", "0"]
        };
        let mut child = Command::new(binary())
            .arg("serve")
            .args(port)
            .args(args)
            .envs(env.iter().copied())
            .current_dir(site.root())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let stdout_text = Arc::new(Mutex::new(String::new()));
        let out = Arc::clone(&stdout_text);
        let stderr = Arc::new(Mutex::new(String::new()));
        drain(child.stderr.take().unwrap(), Arc::clone(&stderr));
        let mut lines = BufReader::new(stdout).lines();
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            let _ = tx.send(lines.next());
            // Keep reading stdout so the server never blocks on a full pipe.
            for line in lines.map_while(Result::ok) {
                let mut text = out.lock().unwrap();
                text.push_str(&line);
                text.push('\n');
            }
        });
        let mut server = Server {
            child,
            address: "127.0.0.1:1".parse().unwrap(),
            stdout: Arc::clone(&stdout_text),
            stderr,
        };
        let Ok(Some(Ok(first))) = rx.recv_timeout(BOUND) else {
            panic!("no address printed; stderr:\n{}", server.stderr())
        };
        let url = first
            .strip_prefix("Serving http://")
            .unwrap_or_else(|| panic!("first line: {first}"));
        server.address = url.trim_end_matches('/').parse().unwrap();
        server
    }

    /// What the server printed after its first line.
    pub(crate) fn stdout(&self) -> String {
        self.stdout.lock().unwrap().clone()
    }

    pub(crate) fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Wait (bounded) until the server has printed `text` on stdout or stderr: its output is read by other
    /// threads, so what it printed a moment ago may not be here yet.
    #[track_caller]
    pub(crate) fn wait_for_output(&self, text: &str) {
        let start = std::time::Instant::now();
        while !(self.stdout().contains(text) || self.stderr().contains(text)) {
            assert!(
                start.elapsed() < BOUND,
                "the server never printed {text:?}:\n{}\n{}",
                self.stdout(),
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Send raw bytes as a request and read the whole answer.
    pub(crate) fn raw(&self, request: &[u8]) -> Reply {
        let mut stream = TcpStream::connect_timeout(&self.address, BOUND).unwrap();
        stream.set_read_timeout(Some(BOUND)).unwrap();
        stream.set_write_timeout(Some(BOUND)).unwrap();
        stream.write_all(request).unwrap();
        let mut bytes = Vec::new();
        stream.read_to_end(&mut bytes).unwrap();
        let text = String::from_utf8_lossy(&bytes).to_string();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no status in {head:?}"));
        Reply {
            status,
            head: head.to_string(),
            body: body.to_string(),
        }
    }

    pub(crate) fn request(&self, method: &str, path: &str) -> Reply {
        self.raw(
            format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        )
    }

    pub(crate) fn get(&self, path: &str) -> Reply {
        self.request("GET", path)
    }

    /// The server run and build generation a page was served at (from its live-reload tag).
    pub(crate) fn state(&self, path: &str) -> (String, u64) {
        let body = self.get(path).body;
        let attr = |name: &str| {
            let start = body
                .find(&format!("{name}=\""))
                .unwrap_or_else(|| panic!("no {name} in:\n{body}"));
            let rest = &body[start + name.len() + 2..];
            rest[..rest.find('"').unwrap()].to_string()
        };
        (
            attr("data-server"),
            attr("data-generation").parse().unwrap(),
        )
    }

    /// Wait (bounded) for the first build after `state`; returns the answer of the poll.
    pub(crate) fn next_build(&self, state: &(String, u64)) -> String {
        self.get(&format!(
            "/__iopsite/events?server={}&since={}",
            state.0, state.1
        ))
        .body
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn drain(stream: impl Read + Send + 'static, into: Arc<Mutex<String>>) {
    thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            let mut text = into.lock().unwrap();
            text.push_str(&line);
            text.push('\n');
        }
    });
}
