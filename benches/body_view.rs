//! Drawing the response body pane with a 10 MB JSON body: a frame must stay
//! under 10 ms whatever the body size. Also measures the one-off cost of
//! preparing the body (validation, pretty-printing, line index), of its
//! preview (the start shown while the whole is prepared) and a search.
//!
//! Run with `cargo bench --bench body_view`.

use std::fmt::Write as _;
use std::hint::black_box;

use bytes::Bytes;
use criterion::{Criterion, criterion_group, criterion_main};
use portico::tui::body_view::{BodyTheme, BodyView};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

fn ten_mb_json() -> Bytes {
    let mut body = String::from("[");
    let mut i = 0;
    while body.len() < 10 * 1024 * 1024 {
        if i > 0 {
            body.push(',');
        }
        let _ = write!(
            body,
            r#"{{"id":{i},"name":"item {i}","description":"caf\u00e9 — 日本語 🎉","tags":["a","b"],"price":{}.5,"ok":true,"next":null}}"#,
            i % 1000
        );
        i += 1;
    }
    body.push(']');
    Bytes::from(body)
}

fn bench(c: &mut Criterion) {
    let body = ten_mb_json();
    let theme = BodyTheme::coloured();
    let area = Rect::new(0, 0, 160, 45);
    let mut buf = Buffer::empty(area);

    let mut group = c.benchmark_group("body_view_10mb_json");
    group.sample_size(10);
    group.bench_function("prepare (validate, pretty-print, index)", |b| {
        b.iter(|| BodyView::new(black_box(body.clone()), Some("application/json")));
    });
    // What stands between the answer and its first screen: its start laid
    // out while the whole is prepared on the side.
    group.bench_function("preview (the start, shown first)", |b| {
        b.iter(|| BodyView::preview(black_box(&body), Some("application/json"), |start| start));
    });
    let mut view = BodyView::new(body.clone(), Some("application/json"));
    group.bench_function("search (first, case-insensitive)", |b| {
        b.iter(|| {
            view.set_search("");
            view.set_search(black_box("item 123456"));
        });
    });
    group.finish();

    let mut group = c.benchmark_group("body_view_frame_160x45");
    let mut view = BodyView::new(body, Some("application/json"));
    group.bench_function("top", |b| {
        b.iter(|| view.render(area, &mut buf, &theme));
    });
    view.scroll_down(view.line_count() / 2);
    view.set_search("item 1");
    group.bench_function("middle, with search highlights", |b| {
        b.iter(|| view.render(area, &mut buf, &theme));
    });
    view.set_wrap(true);
    view.scroll_to_bottom();
    group.bench_function("bottom, wrapped", |b| {
        b.iter(|| view.render(area, &mut buf, &theme));
    });
    group.bench_function("page down then frame", |b| {
        view.scroll_to_top();
        b.iter(|| {
            view.page_down();
            view.render(area, &mut buf, &theme);
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
