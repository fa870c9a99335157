//! Writes `schema/meshverdict.schema.json`: the JSON Schema of every answer and request
//! the hosts exchange, from the serde types themselves. The host types
//! (`schema/meshverdict.d.ts`, the TypeScript the Node and WASM packages re-export) are
//! generated from it by `schema/generate.sh`, which runs this first.
//!
//!     cargo run -p meshverdict-bindings --features schema --bin schema [-- OUT]

use std::path::PathBuf;

use meshverdict::{Answer, Diagnostic, Error, Verdict};
use meshverdict_bindings::jobs::{
    DiffOut, DiffRequest, EndpointInfo, ExposureRequest, MatrixCells, MatrixOut, MatrixRequest,
    RepairRequest, SynthesisOut, SynthesizeRequest,
};
use meshverdict_bindings::{
    CaseOut, CaseRequest, LoadRequest, VerdictBrief, VerdictOut, VerdictRequest,
};
use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde_json::{Map, Value};

fn add<T: JsonSchema>(generator: &mut SchemaGenerator, roots: &mut Vec<Value>) {
    roots.push(generator.subschema_for::<T>().to_value());
}

/// An optional property of an answer is absent, never `null` (it is left out when it
/// has nothing to say): its schema loses the `null` that `Option` adds.
fn absent_not_null(value: &mut Value) {
    match value {
        Value::Object(map) => {
            let required: Vec<String> = map
                .get("required")
                .and_then(Value::as_array)
                .map(|r| {
                    r.iter()
                        .filter_map(|v| v.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default();
            if let Some(Value::Object(properties)) = map.get_mut("properties") {
                for (name, property) in properties.iter_mut() {
                    if !required.contains(name) {
                        drop_null(property);
                    }
                }
            }
            for v in map.values_mut() {
                absent_not_null(v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(absent_not_null),
        _ => {}
    }
}

fn drop_null(schema: &mut Value) {
    let Value::Object(map) = schema else { return };
    if let Some(Value::Array(types)) = map.get_mut("type") {
        types.retain(|t| t != "null");
        if types.len() == 1 {
            let only = types.remove(0);
            map.insert("type".into(), only);
        }
    }
    if let Some(Value::Array(any)) = map.get_mut("anyOf") {
        any.retain(|s| s.get("type").and_then(Value::as_str) != Some("null"));
        if any.len() == 1 {
            let only = any.remove(0);
            map.remove("anyOf");
            if let Value::Object(inner) = only {
                for (k, v) in inner {
                    map.entry(k).or_insert(v);
                }
            }
        }
    }
}

/// `"#/definitions/NAME"` → `"#/definitions/RENAMED"` for every pair.
fn rename_refs(value: &mut Value, renamed: &[(String, String)]) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get_mut("$ref") {
                if let Some((_, to)) = renamed
                    .iter()
                    .find(|(from, _)| r.strip_prefix("#/definitions/") == Some(from.as_str()))
                {
                    *r = format!("#/definitions/{to}");
                }
            }
            map.values_mut().for_each(|v| rename_refs(v, renamed));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rename_refs(v, renamed)),
        _ => {}
    }
}

fn main() -> std::process::ExitCode {
    let out = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../schema/meshverdict.schema.json"
            ))
        });
    // Answers as they are written (serialize: fields left out when empty are optional) …
    let mut generator = SchemaSettings::draft07().for_serialize().into_generator();
    let mut roots = Vec::new();
    add::<Answer<Value>>(&mut generator, &mut roots);
    add::<Error>(&mut generator, &mut roots);
    add::<Verdict>(&mut generator, &mut roots);
    add::<VerdictOut>(&mut generator, &mut roots);
    add::<VerdictBrief>(&mut generator, &mut roots);
    add::<Diagnostic>(&mut generator, &mut roots);
    add::<CaseOut>(&mut generator, &mut roots);
    add::<MatrixOut>(&mut generator, &mut roots);
    add::<MatrixCells>(&mut generator, &mut roots);
    add::<meshverdict::evaluate::exposure::Exposure>(&mut generator, &mut roots);
    add::<DiffOut>(&mut generator, &mut roots);
    add::<SynthesisOut>(&mut generator, &mut roots);
    add::<meshverdict::synthesize::Repair>(&mut generator, &mut roots);
    add::<EndpointInfo>(&mut generator, &mut roots);
    let mut definitions: Map<String, Value> =
        generator.take_definitions(true).into_iter().collect();
    let mut root_value = Value::Array(roots);
    absent_not_null(&mut root_value);
    definitions.values_mut().for_each(absent_not_null);

    // … and requests as they are read (deserialize: fields with a default are optional).
    let mut generator = SchemaSettings::draft07().for_deserialize().into_generator();
    let mut requests = Vec::new();
    add::<LoadRequest>(&mut generator, &mut requests);
    add::<VerdictRequest>(&mut generator, &mut requests);
    add::<CaseRequest>(&mut generator, &mut requests);
    add::<MatrixRequest>(&mut generator, &mut requests);
    add::<ExposureRequest>(&mut generator, &mut requests);
    add::<DiffRequest>(&mut generator, &mut requests);
    add::<SynthesizeRequest>(&mut generator, &mut requests);
    add::<RepairRequest>(&mut generator, &mut requests);
    let read: Map<String, Value> = generator.take_definitions(true).into_iter().collect();
    // A type read differently from how it is written is `NAMEInput` on the request side.
    let renamed: Vec<(String, String)> = read
        .iter()
        .filter(|(k, v)| definitions.get(*k).is_some_and(|w| w != *v))
        .map(|(k, _)| (k.clone(), format!("{k}Input")))
        .collect();
    let mut requests = Value::Array(requests);
    rename_refs(&mut requests, &renamed);
    for (k, mut v) in read {
        rename_refs(&mut v, &renamed);
        let name = renamed
            .iter()
            .find(|(from, _)| *from == k)
            .map(|(_, to)| to.clone())
            .unwrap_or(k);
        definitions.entry(name).or_insert(v);
    }
    let Value::Array(mut roots) = root_value else {
        return std::process::ExitCode::FAILURE;
    };
    if let Value::Array(r) = requests {
        roots.extend(r);
    }

    let mut root = Map::new();
    root.insert(
        "$schema".into(),
        "http://json-schema.org/draft-07/schema#".into(),
    );
    root.insert("title".into(), "meshverdict".into());
    root.insert(
        "description".into(),
        "Every answer and request the meshverdict hosts exchange (the CLI's `-o json`, the bindings, Python, Node, WASM). Generated from the Rust serde types by `bash schema/generate.sh`; do not edit.".into(),
    );
    root.insert("anyOf".into(), Value::Array(roots));
    root.insert("definitions".into(), Value::Object(definitions));
    let schema = Schema::from(root);
    let text = match serde_json::to_string_pretty(&schema) {
        Ok(t) => t + "\n",
        Err(e) => {
            eprintln!("schema: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    if let Err(e) = std::fs::write(&out, text) {
        eprintln!("schema: writing {}: {e}", out.display());
        return std::process::ExitCode::FAILURE;
    }
    std::process::ExitCode::SUCCESS
}
