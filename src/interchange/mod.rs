//! Interchange: requests carried in and out of other tools' formats.
//!
//! ```text
//! curl       a command line <-> BuiltRequest, matched to an operation
//! http_file  `.http` files (REST Client, JetBrains) and their env files
//! postman    Postman collections (read v2.0, v2.1; written v2.1) with
//!            their variables
//! snippet    code samples: a BuiltRequest as HTTPie, Python, JavaScript,
//!            Go, C#, Java, PowerShell or PHP (export only)
//! imported   ImportedRequest: a request read from a file, placed on an
//!            operation as a draft (or kept as an orphan), and back
//! ```
//!
//! A form body travels as its fields in every format (curl's `-F` and
//! `--data-urlencode`, a `.http` multipart body with `< path` parts,
//! Postman's `urlencoded` and `formdata` modes), a file by its path.
//!
//! Each format is read into what portico already has (a [`ParsedCurl`],
//! [`ImportedRequest`]s and environments) and written from it; what a
//! format cannot carry is reported as a warning, never silently lost.
//!
//! [`ParsedCurl`]: curl::ParsedCurl

pub mod curl;
pub mod http_file;
pub mod imported;
pub mod postman;
pub mod snippet;

pub use imported::ImportedRequest;
