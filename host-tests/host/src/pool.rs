//! Outgoing HTTP for the reference host with connections kept alive: a small pool of HTTP/1.1
//! connections per origin, shared by every store of the process, used from the
//! `WasiHttpHooks::send_request` hook (after the network policy has allowed the request).
//!
//! `wasmtime-wasi-http`'s default sender opens (and for `https`, TLS-handshakes) a connection
//! per request. This one takes an idle connection to the same origin when there is one and
//! opens one otherwise, with the same timeouts the guest asked for: the connect timeout for
//! the TCP connect and the TLS and HTTP handshakes, the first-byte timeout until the response
//! head, and the between-bytes timeout between body frames. A connection goes back to the pool
//! only once its response body has been read to the end without error; one whose body was
//! dropped early, failed or timed out is closed. A request that finds its pooled connection
//! closed by the server before it was written is sent again on a new connection (hyper hands
//! such a request back unsent); one that was written is never repeated.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::{Arc, LazyLock, Mutex, OnceLock, PoisonError};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use http::uri::Scheme;
use http_body_util::BodyExt;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use wasmtime_wasi_http::{Error, RequestOptions, WasiBody};

/// wasmtime-wasi-http's default when the guest sets no timeout.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);
/// Idle connections kept per origin (the component reads at most 16 pages at once).
const MAX_IDLE_PER_ORIGIN: usize = 16;

type Sender = SendRequest<WasiBody>;

/// The future `send_request` hooks return besides the response; the pool drives each
/// connection on a task of its own, so there is nothing left for the caller to drive.
pub type Io = Box<dyn Future<Output = Result<(), Error>> + Send>;

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
struct Origin {
    tls: bool,
    /// `host:port`, the port explicit.
    authority: String,
}

/// Idle connections by origin.
#[derive(Default)]
pub struct Pool {
    idle: Mutex<HashMap<Origin, Vec<Sender>>>,
    tls: OnceLock<tokio_rustls::TlsConnector>,
}

/// The process-wide pool every `Host` sends through.
pub fn shared() -> &'static Pool {
    static POOL: LazyLock<Pool> = LazyLock::new(Pool::default);
    &POOL
}

fn tls_connector() -> tokio_rustls::TlsConnector {
    // As wasmtime-wasi-http's default sender: the webpki roots, no client certificate.
    let roots = tokio_rustls::rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.into(),
    };
    let config = tokio_rustls::rustls::ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    tokio_rustls::TlsConnector::from(Arc::new(config))
}

impl Pool {
    /// Idle connections to `authority` (`host:port`) over plain HTTP, for tests.
    pub fn idle_connections(&self, authority: &str) -> usize {
        let origin = Origin {
            tls: false,
            authority: authority.to_string(),
        };
        self.lock().get(&origin).map_or(0, |senders| {
            senders.iter().filter(|s| !s.is_closed()).count()
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Origin, Vec<Sender>>> {
        self.idle.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// An idle connection to `origin` that is still open, newest first.
    fn take(&self, origin: &Origin) -> Option<Sender> {
        let mut idle = self.lock();
        let senders = idle.get_mut(origin)?;
        while let Some(sender) = senders.pop() {
            if !sender.is_closed() {
                return Some(sender);
            }
        }
        None
    }

    fn put(&self, origin: &Origin, sender: Sender) {
        if sender.is_closed() {
            return;
        }
        let mut idle = self.lock();
        let senders = idle.entry(origin.clone()).or_default();
        senders.retain(|s| !s.is_closed());
        if senders.len() < MAX_IDLE_PER_ORIGIN {
            senders.push(sender);
        }
    }

    /// Sends `request` (an absolute URI, as wasmtime-wasi-http builds it) on a pooled
    /// connection; the drop-in for `wasmtime_wasi_http::default_send_request`.
    pub async fn send(
        &'static self,
        mut request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
    ) -> Result<(http::Response<WasiBody>, Io), Error> {
        let uri = request.uri();
        let authority = uri.authority().ok_or(Error::HttpRequestUriInvalid)?;
        let tls = uri.scheme() == Some(&Scheme::HTTPS);
        let origin = Origin {
            tls,
            authority: match authority.port() {
                Some(_) => authority.to_string(),
                None => format!("{authority}:{}", if tls { 443 } else { 80 }),
            },
        };
        let timeout = |pick: fn(&RequestOptions) -> Option<Duration>| {
            options.as_ref().and_then(pick).unwrap_or(DEFAULT_TIMEOUT)
        };
        let connect_timeout = timeout(|o| o.connect_timeout);
        let first_byte_timeout = timeout(|o| o.first_byte_timeout);
        let between_bytes_timeout = timeout(|o| o.between_bytes_timeout).max(Duration::new(0, 1));
        // On the wire the request line carries the path only (no proxy).
        let path = uri
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .parse::<http::Uri>()
            .map_err(|_| Error::HttpRequestUriInvalid)?;
        *request.uri_mut() = path;

        let mut request = request;
        loop {
            let (mut sender, reused) = match self.take(&origin) {
                Some(sender) => (sender, true),
                None => (self.connect(&origin, connect_timeout).await?, false),
            };
            if reused {
                // A pooled connection is idle; `ready` only waits for its task to say so, or
                // reports that the server closed it meanwhile.
                match tokio::time::timeout(connect_timeout, sender.ready()).await {
                    Ok(Ok(())) => {}
                    _ => continue,
                }
            }
            let sent = tokio::time::timeout(first_byte_timeout, sender.try_send_request(request));
            let response = match sent.await {
                Err(_) => return Err(Error::ConnectionReadTimeout),
                Ok(Ok(response)) => response,
                Ok(Err(mut error)) => match error.take_message() {
                    // Not written: the pooled connection had closed. Try a fresh one.
                    Some(unsent) if reused => {
                        request = unsent;
                        continue;
                    }
                    _ => return Err(Error::from(error.into_error())),
                },
            };
            let mut timer = tokio::time::interval(between_bytes_timeout);
            timer.reset();
            let (parts, incoming) = response.into_parts();
            let done = incoming.is_end_stream();
            let mut body = PooledBody {
                incoming,
                timer,
                sender: Some(sender),
                origin: origin.clone(),
                pool: self,
            };
            if done {
                body.release();
            }
            let response = http::Response::from_parts(parts, body.boxed_unsync());
            return Ok((response, Box::new(async { Ok(()) }) as Io));
        }
    }

    async fn connect(&self, origin: &Origin, timeout: Duration) -> Result<Sender, Error> {
        let connecting = async {
            let stream = TcpStream::connect(&origin.authority)
                .await
                .map_err(Error::Connect)?;
            let _ = stream.set_nodelay(true);
            let stream: Box<dyn Stream> = if origin.tls {
                let name = server_name(&origin.authority)?;
                let tls = self
                    .tls
                    .get_or_init(tls_connector)
                    .connect(name, stream)
                    .await
                    .map_err(Error::Tls)?;
                Box::new(tls)
            } else {
                Box::new(stream)
            };
            let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
                .await
                .map_err(Error::from)?;
            // The connection runs on the runtime the request was sent from (wasmtime-wasi's,
            // or the MCP server's) until the server or the pool lets it go.
            tokio::spawn(async move {
                let _ = connection.await;
            });
            Ok(sender)
        };
        match tokio::time::timeout(timeout, connecting).await {
            Ok(result) => result,
            Err(_) => Err(Error::ConnectionTimeout),
        }
    }
}

trait Stream: AsyncRead + AsyncWrite + Send + Unpin + 'static {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin + 'static> Stream for T {}

/// The rustls server name of `host:port` (an IP literal, bracketed for IPv6, or a DNS name).
fn server_name(
    authority: &str,
) -> Result<tokio_rustls::rustls::pki_types::ServerName<'static>, Error> {
    use tokio_rustls::rustls::pki_types::ServerName;
    if let Ok(addr) = authority.parse::<std::net::SocketAddr>() {
        return Ok(ServerName::from(addr.ip()));
    }
    let host = authority
        .rsplit_once(':')
        .map_or(authority, |(host, _)| host);
    ServerName::try_from(host.to_string())
        .map_err(|e| Error::Tls(std::io::Error::new(std::io::ErrorKind::InvalidInput, e)))
}

/// A response body with the between-bytes timeout that gives its connection back to the pool
/// once read to the end.
struct PooledBody {
    incoming: Incoming,
    timer: tokio::time::Interval,
    sender: Option<Sender>,
    origin: Origin,
    pool: &'static Pool,
}

impl PooledBody {
    fn release(&mut self) {
        if let Some(sender) = self.sender.take() {
            self.pool.put(&self.origin, sender);
        }
    }
}

impl Body for PooledBody {
    type Data = hyper::body::Bytes;
    type Error = Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = &mut *self;
        match Pin::new(&mut this.incoming).poll_frame(cx) {
            Poll::Ready(None) => {
                this.release();
                Poll::Ready(None)
            }
            Poll::Ready(Some(Err(error))) => {
                this.sender = None;
                Poll::Ready(Some(Err(if error.is_timeout() {
                    Error::HttpResponseTimeout
                } else {
                    Error::from(error)
                })))
            }
            Poll::Ready(Some(Ok(frame))) => {
                this.timer.reset();
                if this.incoming.is_end_stream() {
                    this.release();
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Pending => {
                ready!(this.timer.poll_tick(cx));
                this.sender = None;
                Poll::Ready(Some(Err(Error::ConnectionReadTimeout)))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.incoming.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.incoming.size_hint()
    }
}
