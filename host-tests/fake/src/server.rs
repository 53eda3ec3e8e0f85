//! The HTTP side: routes, the front door every request passes (record, faults, rate limit,
//! User-Agent), and an accept loop that can reset a connection on demand.

use std::io;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{delete, get, patch, post};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tower_service::Service;

use super::app::{App, lock};
use super::error::{ApiError, route_not_found};
use super::faults::{self, Fault, ResetSwitch};
use super::model::{Client, InvoiceMessage, InvoicePayment, Project, Task, User};
use super::recorder::RecordedRequest;
use super::{auth, clients, company, invoices, lists, messages, oauth, payments, projects};
use super::{expenses, reports, tasks, time_entries, timers, users};

pub fn router(app: App) -> Router {
    let v2 = Router::new()
        .route("/company", get(company::get))
        .route("/users", get(lists::account_list::<User>))
        .route("/users/me", get(users::me))
        .route(
            "/users/me/project_assignments",
            get(projects::my_assignments),
        )
        .route("/users/{id}", get(users::get))
        .route("/clients", get(lists::account_list::<Client>))
        .route("/clients/{id}", get(clients::get))
        .route("/tasks", get(lists::account_list::<Task>))
        .route("/tasks/{id}", get(tasks::get))
        .route("/projects", get(lists::account_list::<Project>))
        .route("/projects/{id}", get(projects::get))
        .route(
            "/projects/{id}/task_assignments",
            get(projects::task_assignments),
        )
        .route(
            "/time_entries",
            get(time_entries::list).post(time_entries::create),
        )
        .route(
            "/time_entries/{id}",
            get(time_entries::get)
                .patch(time_entries::update)
                .delete(time_entries::remove),
        )
        .route("/time_entries/{id}/stop", patch(timers::stop))
        .route("/time_entries/{id}/restart", patch(timers::restart))
        .route("/invoices", get(invoices::list).post(invoices::create))
        .route(
            "/invoices/{id}",
            get(invoices::get)
                .patch(invoices::update)
                .delete(invoices::remove),
        )
        .route(
            "/invoices/{id}/messages",
            get(lists::invoice_list::<InvoiceMessage>).post(messages::create),
        )
        .route(
            "/invoices/{id}/payments",
            get(lists::invoice_list::<InvoicePayment>).post(payments::create),
        )
        .route(
            "/invoices/{id}/payments/{payment_id}",
            delete(payments::remove),
        )
        .route("/reports/time/{kind}", get(reports::time))
        .route("/reports/uninvoiced", get(reports::uninvoiced))
        .route("/expenses", get(expenses::list));
    Router::new()
        .nest("/v2", v2)
        .route("/api/v2/accounts", get(auth::accounts))
        .route("/oauth2/authorize", get(oauth::authorize))
        .route("/api/v2/oauth2/token", post(oauth::token))
        .fallback(route_not_found)
        .method_not_allowed_fallback(route_not_found)
        .layer(middleware::from_fn_with_state(app.clone(), front_door))
        .with_state(app)
}

/// Records the request, then applies (in order) the latency, an aimed or queued fault, the
/// request budget and the User-Agent rule before the route runs.
async fn front_door(State(app): State<App>, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let body = axum::body::to_bytes(body, 16 << 20)
        .await
        .unwrap_or_default();
    let path = parts.uri.path().to_owned();
    lock(&app.requests).push(RecordedRequest {
        method: parts.method.to_string(),
        path: path.clone(),
        query: parts.uri.query().map(str::to_owned),
        headers: parts
            .headers
            .iter()
            .map(|(k, v)| {
                (
                    k.to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    let throttled = path.starts_with("/v2/").then(|| {
        // Untracked: counting requests changes no listing (see `index.rs`).
        let mut st = lock(&app.state);
        st.api_requests = st.api_requests.saturating_add(1);
        let over = st
            .request_budget
            .is_some_and(|budget| st.api_requests > budget);
        over.then_some(st.retry_after_secs)
    });
    let target = match parts.uri.query() {
        Some(query) => format!("{path}?{query}"),
        None => path.clone(),
    };
    let aimed = {
        let mut aimed = lock(&app.aimed_faults);
        let hit = aimed
            .iter()
            .position(|(needle, _)| target.contains(needle.as_str()));
        hit.map(|i| aimed.remove(i).1)
    };
    let fault = aimed.or_else(|| lock(&app.faults).pop_front());
    let latency = app.latency_ms.load(Ordering::Relaxed);
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    let reset = parts.extensions.get::<ResetSwitch>().cloned();
    let has_user_agent = parts
        .headers
        .get(header::USER_AGENT)
        .is_some_and(|v| !v.is_empty());
    let req = Request::from_parts(parts, Body::from(body));
    match &fault {
        Some(Fault::Status {
            status,
            content_type,
            body,
        }) => {
            return faults::status(*status, content_type, body.clone());
        }
        Some(Fault::RateLimited { retry_after }) => return faults::rate_limited(*retry_after),
        Some(Fault::Delay { millis }) => tokio::time::sleep(Duration::from_millis(*millis)).await,
        Some(Fault::Silent) => return faults::silence().await,
        _ => {}
    }
    let response = if let Some(Some(secs)) = throttled {
        faults::rate_limited(Some(secs))
    } else if (path.starts_with("/v2/") || path.starts_with("/api/v2/")) && !has_user_agent {
        // docs/harvest-notes.md#headers-and-accounts: a request without a User-Agent gets 400.
        axum::response::IntoResponse::into_response(ApiError::BadRequest(
            "Missing User-Agent header: include your application name and a contact URL or email"
                .into(),
        ))
    } else {
        next.run(req).await
    };
    match fault {
        Some(Fault::ResetMidBody) => {
            faults::break_body(response, Some(reset.unwrap_or_default())).await
        }
        Some(Fault::TruncatedBody) => faults::break_body(response, None).await,
        Some(Fault::StallBody { after_bytes }) => faults::stall_body(response, after_bytes).await,
        _ => response,
    }
}

/// Accepts connections until `shutdown` fires. Each connection carries a [`ResetSwitch`] that a
/// fault can flip to end the connection with an RST instead of a FIN.
pub async fn serve(listener: TcpListener, router: Router, mut shutdown: oneshot::Receiver<()>) {
    loop {
        let stream = tokio::select! {
            _ = &mut shutdown => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let switch = ResetSwitch::default();
        let io = TokioIo::new(ConnIo {
            stream,
            reset: switch.clone(),
        });
        let router = router.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
                req.extensions_mut().insert(switch.clone());
                let mut router = router.clone();
                async move { router.call(req).await }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(io, service)
                .await;
        });
    }
}

/// A TCP stream that closes with an RST (zero linger, no FIN) once its reset switch is set.
struct ConnIo {
    stream: TcpStream,
    reset: ResetSwitch,
}

impl ConnIo {
    fn resetting(&self) -> bool {
        self.reset.0.load(Ordering::SeqCst)
    }
}

impl AsyncRead for ConnIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for ConnIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.resetting() {
            // No FIN: the socket is closed on drop, with an RST.
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut this.stream).poll_shutdown(cx)
    }
}

impl Drop for ConnIo {
    fn drop(&mut self) {
        if self.resetting() {
            let _ = self.stream.set_zero_linger();
        }
    }
}
