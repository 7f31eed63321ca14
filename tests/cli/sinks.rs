//! The other ends of a notice, on loopback: a small SMTP server that keeps every message it is given (or refuses
//! them, or accepts connections and never answers), and a webhook endpoint that keeps every call. Both stop when
//! dropped, and can be started again on the same port to play a server that comes back.

use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// How an SMTP sink answers.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Smtp {
    /// Accepts every message.
    Accept,
    /// Refuses every recipient with `550` (a permanent refusal).
    Refuse,
    /// Accepts connections and never says a word (a hung server).
    Silent,
}

/// One message an SMTP sink was given.
#[derive(Clone, Debug)]
pub(crate) struct Mail {
    pub(crate) to: Vec<String>,
    /// Headers and body, as sent.
    pub(crate) data: String,
    pub(crate) at: Instant,
}

impl Mail {
    /// The body, quoted-printable decoded (soft line breaks joined, `=XX` turned back into bytes).
    pub(crate) fn text(&self) -> String {
        let body = self
            .data
            .split_once("\r\n\r\n")
            .map_or("", |(_, body)| body);
        let joined = body.replace("=\r\n", "");
        let mut bytes = Vec::new();
        let mut rest = joined.as_bytes();
        while let Some((&first, tail)) = rest.split_first() {
            let hex = tail
                .get(..2)
                .and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok());
            if let (b'=', Some(byte)) = (first, hex) {
                bytes.push(byte);
                rest = &tail[2..];
            } else {
                bytes.push(first);
                rest = tail;
            }
        }
        String::from_utf8_lossy(&bytes).replace("\r\n", "\n")
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.data
            .lines()
            .take_while(|l| !l.is_empty())
            .find_map(|line| {
                let (key, value) = line.split_once(':')?;
                key.eq_ignore_ascii_case(name).then(|| value.trim())
            })
    }
}

/// A running SMTP sink.
pub(crate) struct SmtpSink {
    pub(crate) port: u16,
    mails: Arc<Mutex<Vec<Mail>>>,
    /// Connections seen (tries), accepted or not.
    connections: Arc<Mutex<usize>>,
    stop: Arc<AtomicBool>,
    accepting: Option<JoinHandle<()>>,
    open: Arc<Mutex<Vec<TcpStream>>>,
}

/// A free port on loopback, for a server that is not running yet.
pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl SmtpSink {
    pub(crate) fn start(mode: Smtp) -> SmtpSink {
        SmtpSink::start_on(0, mode)
    }

    /// Start on `port` (0: any).
    pub(crate) fn start_on(port: u16, mode: Smtp) -> SmtpSink {
        let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
        let port = listener.local_addr().unwrap().port();
        let mails: Arc<Mutex<Vec<Mail>>> = Arc::default();
        let connections: Arc<Mutex<usize>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let open: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
        let accepting = {
            let (mails, connections, stop, open) = (
                Arc::clone(&mails),
                Arc::clone(&connections),
                Arc::clone(&stop),
                Arc::clone(&open),
            );
            thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    *connections.lock().unwrap() += 1;
                    open.lock().unwrap().push(stream.try_clone().unwrap());
                    if mode == Smtp::Silent {
                        continue;
                    }
                    let mails = Arc::clone(&mails);
                    thread::spawn(move || {
                        let _ = session(stream, mode, &mails);
                    });
                }
            })
        };
        SmtpSink {
            port,
            mails,
            connections,
            stop,
            accepting: Some(accepting),
            open,
        }
    }

    pub(crate) fn mails(&self) -> Vec<Mail> {
        self.mails.lock().unwrap().clone()
    }

    pub(crate) fn connections(&self) -> usize {
        *self.connections.lock().unwrap()
    }

    /// Wait (bounded by `within`) until at least `n` messages arrived.
    #[track_caller]
    pub(crate) fn wait_for(&self, n: usize, within: Duration) -> Vec<Mail> {
        let start = Instant::now();
        loop {
            let mails = self.mails();
            if mails.len() >= n {
                return mails;
            }
            assert!(
                start.elapsed() < within,
                "the sink got {} messages, not {n}, within {within:?}",
                mails.len()
            );
            thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(accepting) = self.accepting.take() {
            let _ = accepting.join();
        }
        for stream in self.open.lock().unwrap().drain(..) {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }
}

/// One SMTP conversation (RFC 5321, the part a client needs to send a message).
fn session(stream: TcpStream, mode: Smtp, mails: &Mutex<Vec<Mail>>) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut out = stream.try_clone()?;
    let mut lines = BufReader::new(stream);
    out.write_all(b"220 sink.test ESMTP ready\r\n")?;
    let mut to = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let verb = line.get(..4).unwrap_or_default().to_ascii_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" => b"250-sink.test\r\n250 8BITMIME\r\n",
            "HELO" | "MAIL" | "RSET" | "NOOP" => b"250 ok\r\n",
            "RCPT" if mode == Smtp::Refuse => {
                b"550 5.7.1 Relaying denied: recipient not accepted\r\n"
            }
            "RCPT" => {
                to.push(line.trim().to_string());
                b"250 ok\r\n"
            }
            "DATA" => {
                out.write_all(b"354 go ahead\r\n")?;
                let mut data = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line)? == 0 {
                        return Ok(());
                    }
                    if line == ".\r\n" {
                        break;
                    }
                    data.push_str(line.strip_prefix('.').unwrap_or(&line));
                }
                mails.lock().unwrap().push(Mail {
                    to: std::mem::take(&mut to),
                    data,
                    at: Instant::now(),
                });
                b"250 2.0.0 queued as SINK1\r\n"
            }
            "QUIT" => {
                out.write_all(b"221 bye\r\n")?;
                return Ok(());
            }
            _ => b"502 not implemented\r\n",
        };
        out.write_all(reply)?;
    }
}

/// One call a webhook endpoint received.
#[derive(Clone, Debug)]
pub(crate) struct Call {
    pub(crate) body: String,
    pub(crate) signature: Option<String>,
    pub(crate) content_type: Option<String>,
}

/// A webhook endpoint on loopback that answers every call with one status.
pub(crate) struct WebhookSink {
    pub(crate) url: String,
    calls: Arc<Mutex<Vec<Call>>>,
    server: Arc<tiny_http::Server>,
    worker: Option<JoinHandle<()>>,
}

impl WebhookSink {
    pub(crate) fn start(status: u16) -> WebhookSink {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
        let port = server.server_addr().to_ip().unwrap().port();
        let calls: Arc<Mutex<Vec<Call>>> = Arc::default();
        let worker = {
            let (server, calls) = (Arc::clone(&server), Arc::clone(&calls));
            thread::spawn(move || {
                for mut request in server.incoming_requests() {
                    let header = |request: &tiny_http::Request, name: &'static str| {
                        request
                            .headers()
                            .iter()
                            .find(|h| h.field.equiv(name))
                            .map(|h| h.value.to_string())
                    };
                    let signature = header(&request, "X-Iopsite-Signature");
                    let content_type = header(&request, "Content-Type");
                    let mut body = String::new();
                    let _ = request.as_reader().read_to_string(&mut body);
                    calls.lock().unwrap().push(Call {
                        body,
                        signature,
                        content_type,
                    });
                    let _ = request.respond(tiny_http::Response::empty(status));
                }
            })
        };
        WebhookSink {
            url: format!("http://127.0.0.1:{port}/hook"),
            calls,
            server,
            worker: Some(worker),
        }
    }

    pub(crate) fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }

    #[track_caller]
    pub(crate) fn wait_for(&self, n: usize, within: Duration) -> Vec<Call> {
        let start = Instant::now();
        loop {
            let calls = self.calls();
            if calls.len() >= n {
                return calls;
            }
            assert!(
                start.elapsed() < within,
                "{} webhook calls, not {n}",
                calls.len()
            );
            thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for WebhookSink {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}
