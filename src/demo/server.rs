//! The demo server's shared state, its routes, and its life on a tokio task.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use serde_json::json;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::blobs::{self, BlobStore};
use super::gateway::{self, Gateway};
use super::oauth::{self, AuthServer};
use super::service::{self, Job};
use super::{ACCOUNT_PREFIX, DemoConfig, GATEWAY_PREFIX};

/// Request bodies above this are refused (413) before they are read whole.
pub(super) const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// Everything the demo remembers, in memory only.
pub(super) struct App {
    pub config: DemoConfig,
    /// `http://127.0.0.1:PORT`, for the result locations jobs hand out.
    pub base_url: String,
    pub gateway: Gateway,
    pub jobs: Mutex<HashMap<String, Job>>,
    pub blobs: Mutex<BlobStore>,
    /// The authorization server's codes and tokens.
    pub auth: Mutex<AuthServer>,
    /// Keyed at random per process: job ids and SAS signatures cannot be
    /// guessed from one run to the next.
    keys: RandomState,
    counter: AtomicU64,
}

impl App {
    fn new(config: DemoConfig, base_url: String) -> Self {
        Self {
            gateway: Gateway::new(config.rate_limit, config.rate_window),
            config,
            base_url,
            jobs: Mutex::new(HashMap::new()),
            blobs: Mutex::new(BlobStore::default()),
            auth: Mutex::new(AuthServer::default()),
            keys: RandomState::new(),
            counter: AtomicU64::new(0),
        }
    }

    /// A fresh 32-hex-digit id.
    pub fn new_id(&self) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let a = self.keys.hash_one(("id-a", n));
        let b = self.keys.hash_one(("id-b", n));
        format!("{a:016x}{b:016x}")
    }

    /// The SAS signature that grants reading one blob.
    pub fn sign(&self, container: &str, name: &str) -> String {
        let a = self.keys.hash_one(("sas-a", container, name));
        let b = self.keys.hash_one(("sas-b", container, name));
        format!("{a:016x}{b:016x}")
    }

    /// Where the blob store lives, as a job result's `BaseLocation`.
    pub fn blob_base(&self) -> String {
        format!("{}{GATEWAY_PREFIX}/blobs/", self.base_url)
    }

    fn abort_jobs(&self) {
        for job in lock(&self.jobs).values_mut() {
            if let Some(task) = job.task.take() {
                task.abort();
            }
        }
    }
}

/// Locks a mutex even if a holder panicked: the demo's state stays usable
/// (every critical section leaves it consistent), and the server never
/// panics because of it.
pub(super) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// An error in the ML service's (and blob store's) shape:
/// `{"error": {"code": "...", "message": "..."}}`.
pub(super) fn service_error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        axum::Json(json!({"error": {"code": code, "message": message}})),
    )
        .into_response()
}

fn router(app: Arc<App>) -> Router {
    let ws = format!("{GATEWAY_PREFIX}/workspaces/{{workspace}}/services/{{service}}");
    Router::new()
        .route("/", get(index))
        .route(&format!("{ws}/execute"), post(service::execute))
        .route(&format!("{ws}/jobs"), post(service::submit))
        .route(&format!("{ws}/jobs/{{jobid}}/start"), post(service::start))
        .route(
            &format!("{ws}/jobs/{{jobid}}"),
            get(service::status).delete(service::delete),
        )
        .route(
            &format!("{GATEWAY_PREFIX}/blobs/{{container}}/{{*blob}}"),
            put(blobs::upload).get(blobs::download),
        )
        .route(&format!("{GATEWAY_PREFIX}/usage"), get(usage))
        .route("/oauth2/token", post(oauth::token))
        .route("/oauth2/authorize", get(oauth::authorize))
        .route("/oauth2/device", post(oauth::device))
        .route("/oauth2/verify", get(oauth::verify))
        .route("/oauth2/revoke", post(oauth::revoke))
        .route("/.well-known/openid-configuration", get(oauth::discovery))
        .route(&format!("{ACCOUNT_PREFIX}/me"), get(oauth::me))
        .fallback(not_found)
        .method_not_allowed_fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(from_fn_with_state(Arc::clone(&app), gateway::layer))
        .with_state(app)
}

async fn index() -> &'static str {
    "portico demo: an ML web service behind an API gateway.\n\
     The API is under /azureml-demo; see `portico demo` for keys and an example call.\n"
}

async fn usage(State(app): State<Arc<App>>) -> Response {
    axum::Json(app.gateway.usage()).into_response()
}

async fn not_found(req: Request) -> Response {
    if req.uri().path().starts_with(GATEWAY_PREFIX) {
        gateway::gateway_error(StatusCode::NOT_FOUND, "Resource not found")
    } else {
        (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "Not found: the demo API is under /azureml-demo\n",
        )
            .into_response()
    }
}

/// A running demo service. Dropping it stops the server too.
pub struct DemoServer {
    pub addr: SocketAddr,
    config: DemoConfig,
    app: Arc<App>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

/// Binds 127.0.0.1:`port` (0 for any free port) and serves the demo on a
/// tokio task of the current runtime.
pub async fn start(port: u16, config: DemoConfig) -> std::io::Result<DemoServer> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = listener.local_addr()?;
    let app = Arc::new(App::new(config.clone(), format!("http://{addr}")));
    let (stop, stopped) = oneshot::channel::<()>();
    let service = router(Arc::clone(&app));
    let task = tokio::spawn(async move {
        let served = axum::serve(listener, service)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await;
        if let Err(e) = served {
            tracing::warn!("demo server stopped: {e}");
        }
    });
    Ok(DemoServer {
        addr,
        config,
        app,
        stop: Some(stop),
        task: Some(task),
    })
}

impl DemoServer {
    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The API's base URL behind the gateway: `http://127.0.0.1:PORT/azureml-demo`.
    pub fn gateway_url(&self) -> String {
        format!("{}{GATEWAY_PREFIX}", self.base_url())
    }

    pub fn config(&self) -> &DemoConfig {
        &self.config
    }

    /// Stops accepting connections, lets requests in flight finish (for up
    /// to five seconds), and cancels running jobs.
    pub async fn shutdown(mut self) {
        self.app.abort_jobs();
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut task) = self.task.take()
            && tokio::time::timeout(Duration::from_secs(5), &mut task)
                .await
                .is_err()
        {
            task.abort();
        }
    }
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        self.app.abort_jobs();
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl std::fmt::Debug for DemoServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoServer")
            .field("addr", &self.addr)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}
