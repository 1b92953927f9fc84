//! The JetBrains `http-client.env.json` environments file (and its
//! private companion) read into portico's environments, and a `.http`
//! file's own variables added to them.

use std::path::Path;

use indexmap::IndexMap;
use serde_json::Value;

use super::{HttpFile, HttpFileError};
use crate::catalog::{Environment, Variable};
use crate::request::referenced_variables;
use crate::secrets::is_secret_name;

/// Reads a JetBrains environments file and, when given, its private
/// companion. `$shared` variables go into every environment; variables
/// from the private file, or named like secrets, are secret. On a name
/// conflict the public file's value wins, as in the JetBrains client.
pub fn read_environments(
    public: &Path,
    private: Option<&Path>,
) -> Result<(Vec<Environment>, Vec<String>), HttpFileError> {
    let read = |path: &Path| {
        std::fs::read_to_string(path).map_err(|e| HttpFileError::Read {
            path: path.display().to_string(),
            message: e.to_string(),
        })
    };
    let mut warnings = Vec::new();
    let public_text = read(public)?;
    let mut envs = parse_environments(
        &public_text,
        &public.display().to_string(),
        false,
        &mut warnings,
    )?;
    if let Some(private) = private {
        let text = read(private)?;
        let secrets =
            parse_environments(&text, &private.display().to_string(), true, &mut warnings)?;
        for secret_env in secrets {
            let target = match envs.iter_mut().find(|e| e.name == secret_env.name) {
                Some(e) => e,
                None => {
                    envs.push(Environment {
                        name: secret_env.name.clone(),
                        variables: IndexMap::new(),
                    });
                    envs.last_mut().expect("just pushed")
                }
            };
            for (name, var) in secret_env.variables {
                match target.variables.get_mut(&name) {
                    Some(existing) => existing.secret = true,
                    None => {
                        target.variables.insert(name, var);
                    }
                }
            }
        }
    }
    Ok((envs, warnings))
}

/// One environments file's text.
pub fn parse_environments(
    text: &str,
    location: &str,
    secret: bool,
    warnings: &mut Vec<String>,
) -> Result<Vec<Environment>, HttpFileError> {
    let root: Value = serde_json::from_str(text).map_err(|e| HttpFileError::EnvFile {
        file: location.to_string(),
        message: format!("{e}"),
    })?;
    let Value::Object(root) = root else {
        return Err(HttpFileError::EnvFile {
            file: location.to_string(),
            message: "expected an object of environments".into(),
        });
    };
    let mut shared = IndexMap::new();
    let mut envs = Vec::new();
    for (name, value) in &root {
        if name == "$schema" {
            continue;
        }
        let Value::Object(vars) = value else {
            warnings.push(format!(
                "{location}: `{name}` is not an object of variables; skipped"
            ));
            continue;
        };
        let mut variables = IndexMap::new();
        for (var, value) in vars {
            let text = match value {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                _ => {
                    warnings.push(format!(
                        "{location}: `{name}.{var}` is not a text, number or boolean; skipped"
                    ));
                    continue;
                }
            };
            variables.insert(
                var.clone(),
                Variable {
                    value: text,
                    secret: secret || is_secret_name(var),
                },
            );
        }
        if name == "$shared" {
            shared = variables;
        } else {
            envs.push(Environment {
                name: name.clone(),
                variables,
            });
        }
    }
    for env in &mut envs {
        for (var, value) in &shared {
            if !env.variables.contains_key(var) {
                env.variables.insert(var.clone(), value.clone());
            }
        }
    }
    Ok(envs)
}

/// The environments an import brings: those of the environments file with
/// the `.http` file's variables under them (an environment's value wins,
/// as in the JetBrains client), or, with no environments file, one
/// environment named `fallback_name` holding the file's variables.
pub fn environments_with_file_variables(
    file: &HttpFile,
    env_file: Vec<Environment>,
    fallback_name: &str,
) -> Vec<Environment> {
    let file_vars: IndexMap<String, Variable> = file
        .variables
        .iter()
        .map(|(n, v)| {
            (
                n.clone(),
                Variable {
                    value: v.clone(),
                    secret: is_secret_name(n),
                },
            )
        })
        .collect();
    let mut envs = if env_file.is_empty() {
        if file_vars.is_empty() {
            return Vec::new();
        }
        vec![Environment {
            name: fallback_name.to_string(),
            variables: file_vars,
        }]
    } else {
        env_file
            .into_iter()
            .map(|mut env| {
                for (n, v) in &file_vars {
                    if !env.variables.contains_key(n) {
                        env.variables.insert(n.clone(), v.clone());
                    }
                }
                env
            })
            .collect()
    };
    for env in &mut envs {
        resolve_nested(&mut env.variables);
    }
    envs
}

/// `@gateway = {{base}}/api`: the `.http` tools resolve a variable inside
/// another when the request is sent; portico substitutes one level, so
/// the environment gets the resolved value (secret when a secret went in).
fn resolve_nested(variables: &mut IndexMap<String, Variable>) {
    for _ in 0..8 {
        let mut changed = false;
        let snapshot = variables.clone();
        for variable in variables.values_mut() {
            for name in referenced_variables(&variable.value) {
                let Some(inner) = snapshot.get(&name) else {
                    continue;
                };
                if referenced_variables(&inner.value).is_empty() {
                    variable.value = variable
                        .value
                        .replace(&format!("{{{{{name}}}}}"), &inner.value);
                    variable.secret |= inner.secret;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
}
