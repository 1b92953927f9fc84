//! Checking a 10 MB JSON answer against its documented schema (an array of
//! objects with required properties, an enum, a pattern and a `$ref`):
//! the cost of `validate::check_value` (translation, compilation and the
//! walk), and of a parse of the same body for scale.
//!
//! Run with `cargo bench --bench validate`.

use std::fmt::Write as _;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use portico::catalog;
use portico::validate::{Direction, check_value};
use serde_json::Value;

const SPEC: &str = r##"
openapi: 3.0.3
info: {title: items, version: "1"}
paths:
  /items:
    get:
      operationId: list
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: array, items: {$ref: "#/components/schemas/Item"}}
components:
  schemas:
    Item:
      type: object
      required: [id, name, tags]
      properties:
        id: {type: integer, minimum: 0}
        name: {type: string, pattern: "^item [0-9]+$"}
        tags: {type: array, items: {type: string, enum: [a, b, c]}}
        price: {type: number, nullable: true}
        ok: {type: boolean}
"##;

fn ten_mb_json() -> String {
    let mut body = String::from("[");
    let mut i = 0;
    while body.len() < 10 * 1024 * 1024 {
        if i > 0 {
            body.push(',');
        }
        let _ = write!(
            body,
            r#"{{"id":{i},"name":"item {i}","tags":["a","b"],"price":{}.5,"ok":true}}"#,
            i % 1000
        );
        i += 1;
    }
    body.push(']');
    body
}

fn bench(c: &mut Criterion) {
    let catalog = catalog::load_bytes(SPEC.as_bytes(), "items.yaml").expect("spec loads");
    let (api, op) = catalog.operation(catalog.select("list").expect("op"));
    let schema = op.responses[0].content[0].schema.clone().expect("schema");
    let text = ten_mb_json();
    let body: Value = serde_json::from_str(&text).expect("JSON");
    assert!(check_value(api, &schema, &body, Direction::Response).is_empty());

    let mut group = c.benchmark_group("validate_10mb_json");
    group.sample_size(10);
    group.bench_function("parse only", |b| {
        b.iter(|| black_box(serde_json::from_str::<Value>(&text).expect("JSON")));
    });
    group.bench_function("check against the schema", |b| {
        b.iter(|| black_box(check_value(api, &schema, &body, Direction::Response)));
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
