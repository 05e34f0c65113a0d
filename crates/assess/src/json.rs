//! Typed JSON decoding with the path of the failing field in the error (serde_path_to_error),
//! so a malformed file is refused with "field `components[3].version`: invalid type ...".
//! Nesting depth is bounded by serde_json's recursion limit (128), so deep input cannot overflow
//! the stack.

use crate::error::{InputError, InputKind};
use serde::de::DeserializeOwned;

/// Decodes `bytes` (UTF-8 JSON, an optional byte-order mark) into `T`.
pub fn decode<T: DeserializeOwned>(
    kind: InputKind,
    file: &str,
    bytes: &[u8],
) -> Result<T, InputError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let field = field_of(err.path());
        let inner = err.into_inner();
        InputError::new(kind, file, field, describe(&inner))
    })?;
    de.end()
        .map_err(|err| InputError::new(kind, file, "(document)", describe(&err)))?;
    Ok(value)
}

fn field_of(path: &serde_path_to_error::Path) -> String {
    let text = path.to_string();
    if text == "." || text.is_empty() {
        "(document)".to_owned()
    } else {
        text
    }
}

fn describe(err: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let what = match err.classify() {
        Category::Syntax => "not valid JSON",
        Category::Eof => "JSON ends early",
        Category::Io => "could not be read",
        Category::Data => "unexpected content",
    };
    // serde_json's message already carries "at line L column C"; keep it whole.
    format!("{what}: {err}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Doc {
        items: Vec<Item>,
    }
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Item {
        name: String,
    }

    #[test]
    fn wrong_type_names_the_field_path() {
        let err = decode::<Doc>(
            InputKind::Sbom,
            "a.json",
            br#"{"items":[{"name":"x"},{"name":5}]}"#,
        )
        .unwrap_err();
        assert_eq!(err.field, "items[1].name");
        assert!(
            err.message
                .starts_with("unexpected content: invalid type: integer `5`")
        );
        assert_eq!(err.to_string().split(": field").next(), Some("SBOM a.json"));
    }

    #[test]
    fn syntax_error_is_reported_on_the_document() {
        let err = decode::<Doc>(InputKind::Osv, "b.json", b"{\"items\": [").unwrap_err();
        assert_eq!(err.field, "items");
        assert!(
            err.message.starts_with("JSON ends early"),
            "{}",
            err.message
        );
        let err = decode::<Doc>(InputKind::Osv, "b.json", b"{\"items\": []} x").unwrap_err();
        assert_eq!(err.field, "(document)");
        assert!(
            err.message
                .contains("trailing characters at line 1 column 15"),
            "{}",
            err.message
        );
    }

    #[test]
    fn byte_order_mark_is_accepted() {
        let doc: Doc = decode(InputKind::Csaf, "c.json", b"\xEF\xBB\xBF{\"items\":[]}").unwrap();
        assert!(doc.items.is_empty());
    }
}
