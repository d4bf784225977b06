//! What is wrong with a feed, and where: a JSON path plus line and column.

use std::fmt;

use super::super::json::{line_columns, JsonError, JsonValue};

/// Most issues reported for one feed; the rest are only counted.
pub const MAX_ISSUES: usize = 50;

/// One problem in a feed. Displays as
/// `products[2].variants[0].price: expected an integer number of cents, found the number 29.5 (line 41, column 22)`.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedIssue {
    /// JSON path from the document root: `products[2].variants[0].price`; `(root)` for the root.
    pub path: String,
    /// Byte offset of the offending value (of the enclosing object when a field is missing).
    pub offset: usize,
    pub line: u32,
    pub column: u32,
    pub kind: FeedIssueKind,
}

impl fmt::Display for FeedIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} (line {}, column {})",
            self.path, self.kind, self.line, self.column
        )
    }
}

impl std::error::Error for FeedIssue {}

/// What was wrong; the messages complete the sentence "path: …".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FeedIssueKind {
    /// A value of the wrong type or range.
    #[error("expected {expected}, found {found}")]
    Expected {
        expected: &'static str,
        found: String,
    },
    #[error("missing: expected {expected}")]
    Missing { expected: &'static str },
    #[error("expected an http(s), protocol-relative or relative URL, found {found}")]
    UnsafeUrl { found: String },
    #[error("feed version {found} is not supported (this player reads version 1)")]
    UnsupportedVersion { found: String },
    #[error("expected a feed object with \"products\", an array of products or one product, found {found}")]
    NotAFeed { found: String },
    #[error("expected {expected} option values (one per product option), found {found}")]
    OptionCount { expected: usize, found: usize },
    #[error("\"{value}\" is not one of the values of option \"{option}\"")]
    UnknownOptionValue { option: String, value: String },
    #[error("the variants have option values but the product names no options")]
    MissingOptions,
    #[error("same option values as variants[{first}]")]
    DuplicateOptions { first: usize },
    #[error("duplicate {what} id \"{id}\" (first at {first})")]
    DuplicateId {
        what: &'static str,
        id: String,
        first: String,
    },
    #[error("more than {max} {what}")]
    TooMany { what: &'static str, max: usize },
    #[error("no product with id \"{id}\" in this feed")]
    UnknownProduct { id: String },
    #[error("end ({end}) must be after start")]
    EndBeforeStart { end: String },
}

/// The feed cannot be used at all.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum FeedError {
    #[error("product feed is not valid JSON: {0}")]
    Json(#[from] JsonError),
    #[error("product feed: {0}")]
    Invalid(FeedIssue),
}

/// One step of a JSON path.
#[derive(Clone, Copy)]
pub(crate) enum Step<'a> {
    Root,
    Key(&'a str),
    Index(usize),
}

/// A JSON path kept on the stack while reading; rendered to text only for an issue.
#[derive(Clone, Copy)]
pub(crate) struct Path<'a> {
    parent: Option<&'a Path<'a>>,
    step: Step<'a>,
}

impl<'a> Path<'a> {
    pub(crate) const ROOT: Path<'static> = Path {
        parent: None,
        step: Step::Root,
    };

    pub(crate) fn key(&'a self, key: &'a str) -> Path<'a> {
        Path {
            parent: Some(self),
            step: Step::Key(key),
        }
    }

    pub(crate) fn index(&'a self, i: usize) -> Path<'a> {
        Path {
            parent: Some(self),
            step: Step::Index(i),
        }
    }

    pub(crate) fn render(&self) -> String {
        let mut out = String::new();
        self.render_into(&mut out);
        if out.is_empty() {
            out.push_str("(root)");
        }
        out
    }

    fn render_into(&self, out: &mut String) {
        if let Some(parent) = self.parent {
            parent.render_into(out);
        }
        match self.step {
            Step::Root => {}
            Step::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Step::Index(i) => {
                out.push('[');
                out.push_str(&i.to_string());
                out.push(']');
            }
        }
    }
}

/// Short description of a value for "found …": `the number 29.5`, `the string "29.00"`.
pub(crate) fn describe(v: &JsonValue) -> String {
    const MAX: usize = 24;
    let clip = |s: &str| match s.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_owned(),
    };
    if let Some(n) = v.as_number() {
        return format!("the number {}", clip(n.as_str()));
    }
    if let Some(s) = v.as_str() {
        return format!("the string \"{}\"", clip(s));
    }
    v.type_name().to_owned()
}

/// Collects issues up to [`MAX_ISSUES`], then counts.
#[derive(Default)]
pub(crate) struct Issues {
    pub(crate) list: Vec<FeedIssue>,
    pub(crate) omitted: usize,
}

impl Issues {
    /// Issues seen so far, reported or not: compare before and after reading a product.
    pub(crate) fn count(&self) -> usize {
        self.list.len() + self.omitted
    }

    pub(crate) fn push(&mut self, path: &Path, at: &JsonValue, kind: FeedIssueKind) {
        self.push_at(path, at.offset, kind);
    }

    pub(crate) fn push_at(&mut self, path: &Path, offset: u32, kind: FeedIssueKind) {
        if self.list.len() >= MAX_ISSUES {
            self.omitted += 1;
            return;
        }
        self.list.push(FeedIssue {
            path: path.render(),
            offset: offset as usize,
            line: 0,
            column: 0,
            kind,
        });
    }

    pub(crate) fn expected(&mut self, path: &Path, at: &JsonValue, expected: &'static str) {
        let found = describe(at);
        self.push(path, at, FeedIssueKind::Expected { expected, found });
    }

    /// Fills in lines and columns (one pass over the text).
    pub(crate) fn locate(&mut self, text: &str) {
        let offsets: Vec<usize> = self.list.iter().map(|i| i.offset).collect();
        for (issue, (line, column)) in self.list.iter_mut().zip(line_columns(text, &offsets)) {
            issue.line = line;
            issue.column = column;
        }
    }
}
