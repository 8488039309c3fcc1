//! Operations: liveness, readiness and Prometheus metrics.

use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::Extension;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use serde::Serialize;

use crate::access::{Access, get};
use crate::extract::PeerAddr;
use crate::{AppState, WebError};

pub fn routes() -> crate::csrf::Declared {
    crate::csrf::Declared::new("")
        .form("/healthz", get(Access::Public, healthz))
        .form("/readyz", get(Access::Public, readyz))
        // Prometheus gives the metrics token, or scrapes from this machine; no session counts.
        .form("/metrics", get(Access::Client, metrics))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    pub status: &'static str,
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, body = Health)))]
pub async fn healthz() -> axum::Json<Health> {
    axum::Json(Health { status: "ok" })
}

/// Each module's check of whether this node can serve it yet (`Module::ready`).
pub struct Readiness(pub Vec<fn(&AppState) -> bool>);

/// The process can serve: every module says it is ready (the portal's search index has caught
/// up with the change feed: a fresh node would otherwise find nothing), and its database
/// answers.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses((status = 200, body = Health), (status = 503, body = crate::error::ApiErrorBody)))]
pub async fn readyz(State(state): State<AppState>, Extension(modules): Extension<Arc<Readiness>>) -> Response {
    if !modules.0.iter().all(|ready| ready(&state)) {
        return crate::WebError::new(tamar_core::Code::UNAVAILABLE).into_response();
    }
    match state.db.ping().await {
        Ok(()) => axum::Json(Health { status: "ready" }).into_response(),
        Err(error) => {
            tracing::warn!(%error, "database not reachable");
            crate::WebError::new(tamar_core::Code::UNAVAILABLE).into_response()
        }
    }
}

const LATENCY_BUCKETS: &[f64] = &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// The process-wide Prometheus recorder, installed on first use.
pub fn metrics_handle() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Full("http_request_duration_seconds".into()), LATENCY_BUCKETS)
                .ok()?;
            match builder.install_recorder() {
                Ok(handle) => Some(handle),
                Err(error) => {
                    tracing::error!(%error, "could not install the metrics recorder");
                    None
                }
            }
        })
        .as_ref()
}

/// Prometheus text exposition, for the holder of the configured bearer token, or (with no
/// token configured) for this machine only.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    security(("metrics_token" = [])),
    responses((status = 200, description = "Prometheus text format", content_type = "text/plain"),
        (status = 401, description = "No or wrong bearer token", body = crate::error::ApiErrorBody)))]
pub async fn metrics(State(state): State<AppState>, PeerAddr(peer): PeerAddr, headers: axum::http::HeaderMap) -> Response {
    if !may_read_metrics(state.config.metrics_token.as_deref(), peer, &headers) {
        return WebError::new(tamar_core::Code::UNAUTHENTICATED).into_response();
    }
    let (limits, admitted, refused) = tamar_identity::hashing_load();
    metrics::gauge!("tamar_password_hashing_admitted").set(admitted as f64);
    metrics::gauge!("tamar_password_hashing_capacity").set((limits.workers + limits.queue) as f64);
    metrics::counter!("tamar_password_hashing_refused_total").absolute(refused as u64);
    let body = metrics_handle().map(|h| h.render()).unwrap_or_default();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], body).into_response()
}

fn may_read_metrics(token: Option<&str>, peer: Option<std::net::IpAddr>, headers: &axum::http::HeaderMap) -> bool {
    match token {
        Some(expected) => {
            let given = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
            given.is_some_and(|given| bool::from(subtle::ConstantTimeEq::ct_eq(given.as_bytes(), expected.as_bytes())))
        }
        None => peer.is_some_and(|ip| ip.is_loopback()),
    }
}

/// Counts every request and times it, by route template (never the raw path, so that ids do
/// not blow up the label space).
pub async fn record_metrics(req: Request, next: Next) -> Response {
    metrics_handle();
    let started = Instant::now();
    let method = req.method().as_str().to_owned();
    let route = req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned());
    let response = next.run(req).await;
    let route = route.unwrap_or_else(|| if response.status() == StatusCode::NOT_FOUND { "unmatched".into() } else { "other".into() });
    let status = response.status().as_u16().to_string();
    metrics::counter!("http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status).increment(1);
    metrics::histogram!("http_request_duration_seconds", "method" => method, "route" => route)
        .record(started.elapsed().as_secs_f64());
    response
}
