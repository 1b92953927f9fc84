//! The interface's two time budgets, on the real app and a `TestBackend`:
//!
//! - a whole frame (every pane, diffed into the backend) with a 10 MB JSON
//!   response in the body pane: under 10 ms;
//! - start-up to the first frame on the bundled demo (portal parsed into a
//!   catalog, app state built, first frame drawn): under 10 ms.
//!
//! Run with `cargo bench --bench tui`.

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use portico::catalog::{Api, Catalog, Operation, Server};
use portico::tui::{App, Msg, TuiContext};
use ratatui::backend::TestBackend;

fn ten_mb_json() -> String {
    let mut body = String::from("[");
    let mut i = 0;
    while body.len() < 10 * 1024 * 1024 {
        if i > 0 {
            body.push(',');
        }
        let _ = write!(
            body,
            r#"{{"id":{i},"name":"item {i}","description":"café — 日本語","tags":["a","b"],"price":{}.5,"ok":true}}"#,
            i % 1000
        );
        i += 1;
    }
    body.push(']');
    body
}

fn key(app: &mut App<TestBackend>, code: KeyCode) {
    app.handle(Msg::Input(Event::Key(KeyEvent::new(
        code,
        KeyModifiers::NONE,
    ))));
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");

    // A loopback server with one big JSON answer.
    let body = ten_mb_json();
    let url = runtime.block_on(async move {
        let app = Router::new().route(
            "/big",
            get(move || {
                let body = body.clone();
                async move { ([("content-type", "application/json")], body) }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
        format!("http://{addr}")
    });
    let catalog = Catalog {
        apis: vec![Api {
            id: "big".into(),
            title: "Big".into(),
            servers: vec![Server {
                url,
                ..Server::default()
            }],
            operations: vec![Operation {
                method: "GET".into(),
                path: "/big".into(),
                display_name: Some("Big body".into()),
                ..Operation::default()
            }],
            ..Api::default()
        }],
        ..Catalog::default()
    };
    let ctx = TuiContext::with_defaults(catalog);
    let mut app = App::new(ctx, TestBackend::new(160, 45)).expect("app");
    runtime.block_on(async {
        key(&mut app, KeyCode::Enter);
        key(&mut app, KeyCode::F(5));
        app.settle(Duration::from_secs(60)).await.expect("response");
    });
    // Focus the response and scroll into the middle of the body.
    key(&mut app, KeyCode::Tab);
    for _ in 0..200 {
        key(&mut app, KeyCode::PageDown);
    }
    app.draw().expect("draw");
    let screen: String = app
        .backend()
        .buffer()
        .content()
        .iter()
        .map(ratatui::buffer::Cell::symbol)
        .collect();
    assert!(screen.contains("200 OK"), "no response on screen");

    let mut group = c.benchmark_group("tui");
    group.bench_function("frame_with_10mb_json_body", |b| {
        b.iter(|| {
            app.mark_dirty();
            app.draw().expect("draw");
            black_box(app.frames());
        });
    });

    let demo = runtime
        .block_on(portico::demo::start(
            0,
            portico::demo::DemoConfig::default(),
        ))
        .expect("demo");
    group.bench_function("startup_to_first_frame_demo", |b| {
        b.iter(|| {
            let catalog = portico::demo::bundled_catalog(&demo).expect("catalog");
            let ctx = TuiContext::with_defaults(catalog);
            let mut app = App::new(ctx, TestBackend::new(160, 45)).expect("app");
            app.draw().expect("first frame");
            black_box(app.frames());
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
