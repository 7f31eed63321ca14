//! [`FormView`]: the contact form as templates see it (`form`): values, a message per field, the summary.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Field, FormErrors, Values};

/// One entry of the error summary at the top of the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SummaryItem {
    /// The field's form name (`name`, `phone`…).
    pub field: &'static str,
    /// The `id` of the input to link to.
    pub id: String,
    /// The plain message.
    pub message: String,
}

/// What templates see as `form`: the values to fill in, a message per field (empty when fine), the error summary
/// in page order, and a `notice` for the whole form (empty unless the server has something to say).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FormView {
    /// Field name → value to show again.
    pub values: Values,
    /// Field name → message; every field is present, empty when it is fine.
    pub errors: BTreeMap<&'static str, String>,
    /// The errors in page order, for the summary.
    pub error_list: Vec<SummaryItem>,
    /// A message about the whole form (for example: too many messages in a short time).
    pub notice: String,
}

impl FormView {
    /// The empty form of the static build. Nothing is chosen except the safest voicemail answer, "no".
    pub fn blank() -> FormView {
        let values = Values {
            voicemail: "no".into(),
            ..Values::default()
        };
        FormView::with_values(values)
    }

    /// The form filled with what was sent, and no message.
    pub fn with_values(values: Values) -> FormView {
        FormView {
            values,
            errors: Field::ALL
                .iter()
                .map(|f| (f.name(), String::new()))
                .collect(),
            error_list: Vec::new(),
            notice: String::new(),
        }
    }

    /// The form again, with a message beside each field that needs one.
    pub fn with_errors(found: &FormErrors) -> FormView {
        let mut view = FormView::with_values(found.values.clone());
        for (field, message) in &found.errors {
            view.errors.insert(field.name(), message.clone());
            view.error_list.push(SummaryItem {
                field: field.name(),
                id: field.input_id(),
                message: message.clone(),
            });
        }
        view
    }

    /// The form again, with a message about the whole form.
    #[must_use]
    pub fn with_notice(mut self, notice: impl Into<String>) -> FormView {
        self.notice = notice.into();
        self
    }
}
