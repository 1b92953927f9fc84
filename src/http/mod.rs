//! The HTTP engine: sends a [`crate::request::BuiltRequest`], streams and
//! times the response, and can be cancelled at any moment.
