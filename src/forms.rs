//! The contact form's logic, with no sockets and no disk. [`Values::decode`] reads a submitted
//! `application/x-www-form-urlencoded` body with `serde_urlencoded`; [`Values::is_spam`] checks the honeypot;
//! [`Values::validate`] turns the values into a [`ContactForm`] or into [`FormErrors`] (one plain message per field,
//! the values kept so the form can be shown again). [`FormView`] is what templates see as `form`.
//!
//! This module imports nothing from the crate: `context` uses [`FormView::blank`] for the static build, and the
//! server uses the rest. What is stored, and how, is the `store` module's business.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

mod messages;
mod view;

pub use messages::{Message, text as message};
pub use view::{FormView, SummaryItem};

/// The longest message a person may send, in characters.
pub const MESSAGE_MAX: usize = 1_000;
const NAME_MAX: usize = 100;
const LINE_MAX: usize = 200;

/// The form's fields as submitted, trimmed but not checked. The honeypot (`website`) is never shown again.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub struct Values {
    /// Name or nickname.
    pub name: String,
    /// Phone number, as written.
    pub phone: String,
    /// Email address.
    pub email: String,
    /// `call`, `text` or `email`.
    pub preferred: String,
    /// When it is safe to contact the person.
    pub safe_times: String,
    /// `no`, `generic` or `yes`.
    pub voicemail: String,
    /// `self` or `other`.
    pub for_whom: String,
    /// A short message.
    pub message: String,
    /// `yes` when the consent box is ticked.
    pub consent: String,
    /// The honeypot: people never see it, so anything in it came from a robot.
    #[serde(skip_serializing)]
    pub website: String,
    /// The language of the page the form was sent from (a hidden field): the messages are in it (`es`: Spanish;
    /// anything else: English).
    pub lang: String,
}

/// Why a body is not a form at all (answered with 400, not with the form).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Malformed {
    /// After percent-decoding, the body is not UTF-8.
    #[error("the form data is not valid UTF-8 text")]
    NotUtf8,
    /// `serde_urlencoded` could not read it (for example a field given twice).
    #[error("the form data could not be read")]
    Unreadable,
}

/// How the person wants to be reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Preferred {
    /// A phone call.
    Call,
    /// A text message.
    Text,
    /// An email.
    Email,
}

/// Whether a voicemail may be left.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Voicemail {
    /// No voicemail at all.
    No,
    /// Only a callback request that does not name the center.
    Generic,
    /// A message that may name the center.
    Yes,
}

/// Who the inquiry is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub enum ForWhom {
    /// The person writing.
    #[serde(rename = "self")]
    Myself,
    /// Someone else (a family member, a friend).
    #[serde(rename = "other")]
    SomeoneElse,
}

/// A valid inquiry: what is stored.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct ContactForm {
    /// Name or nickname.
    pub name: String,
    /// Phone number as written, or empty.
    pub phone: String,
    /// Email address, or empty.
    pub email: String,
    /// How to reach the person, when they said.
    pub preferred: Option<Preferred>,
    /// Safe times to make contact, or empty.
    pub safe_times: String,
    /// Whether a voicemail may be left (no answer counts as no).
    pub voicemail: Voicemail,
    /// Who it is for, when they said.
    pub for_whom: Option<ForWhom>,
    /// The message, or empty (at most [`MESSAGE_MAX`] characters).
    pub message: String,
    /// The consent box was ticked (always true once valid; kept as a record of it).
    pub consent: bool,
}

/// The form's fields, in the order they appear on the page (the error summary follows it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Field {
    /// Name or nickname.
    Name,
    /// Phone.
    Phone,
    /// Email.
    Email,
    /// Preferred way.
    Preferred,
    /// Safe times.
    SafeTimes,
    /// Voicemail.
    Voicemail,
    /// For whom.
    ForWhom,
    /// Message.
    Message,
    /// Consent.
    Consent,
}

impl Field {
    /// Every field, in page order.
    pub const ALL: [Field; 9] = [
        Field::Name,
        Field::Phone,
        Field::Email,
        Field::Preferred,
        Field::SafeTimes,
        Field::Voicemail,
        Field::ForWhom,
        Field::Message,
        Field::Consent,
    ];

    /// The field's `name` in the HTML form.
    pub fn name(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Phone => "phone",
            Field::Email => "email",
            Field::Preferred => "preferred",
            Field::SafeTimes => "safe_times",
            Field::Voicemail => "voicemail",
            Field::ForWhom => "for_whom",
            Field::Message => "message",
            Field::Consent => "consent",
        }
    }

    /// The `id` of the input the error summary links to (for a group of choices, its first choice).
    pub fn input_id(self) -> String {
        match self {
            Field::Preferred => "f-preferred-call".into(),
            Field::Voicemail => "f-voicemail-no".into(),
            Field::ForWhom => "f-for_whom-self".into(),
            other => format!("f-{}", other.name()),
        }
    }
}

/// What is wrong with a submission: one plain message per field, with the values to show again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormErrors {
    /// The values as the person sent them (trimmed).
    pub values: Values,
    /// Field → message, in page order.
    pub errors: BTreeMap<Field, String>,
}

impl Values {
    /// Decode a form body. The body is checked to be UTF-8 after percent-decoding first, because
    /// `serde_urlencoded` would otherwise replace bad bytes silently.
    pub fn decode(body: &[u8]) -> Result<Values, Malformed> {
        if percent_encoding::percent_decode(body)
            .decode_utf8()
            .is_err()
        {
            return Err(Malformed::NotUtf8);
        }
        let values: Values =
            serde_urlencoded::from_bytes(body).map_err(|_| Malformed::Unreadable)?;
        Ok(values.tidy())
    }

    /// Whether the honeypot was filled in.
    pub fn is_spam(&self) -> bool {
        !self.website.is_empty()
    }

    /// Trim every field; one-line fields lose control characters, the message keeps its line breaks as `\n`.
    fn tidy(self) -> Values {
        let line = |s: String| -> String {
            s.chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect::<String>()
                .trim()
                .to_string()
        };
        let message = self
            .message
            .replace("\r\n", "\n")
            .chars()
            .filter(|&c| c == '\n' || c == '\t' || !c.is_control())
            .collect::<String>()
            .trim()
            .to_string();
        Values {
            name: line(self.name),
            phone: line(self.phone),
            email: line(self.email),
            preferred: line(self.preferred),
            safe_times: line(self.safe_times),
            voicemail: line(self.voicemail),
            for_whom: line(self.for_whom),
            message,
            consent: line(self.consent),
            website: line(self.website),
            lang: line(self.lang),
        }
    }

    /// Check every field; all problems are reported at once.
    pub fn validate(self) -> Result<ContactForm, FormErrors> {
        let mut errors = Errors {
            found: BTreeMap::new(),
            lang: &self.lang,
        };
        check_name(&self, &mut errors);
        check_reach(&self, &mut errors);
        let preferred = choice(&self.preferred, Field::Preferred, &mut errors);
        check_preferred(&self, preferred, &mut errors);
        let voicemail = choice(&self.voicemail, Field::Voicemail, &mut errors);
        let for_whom = choice(&self.for_whom, Field::ForWhom, &mut errors);
        check_rest(&self, &mut errors);
        let errors = errors.found;
        if !errors.is_empty() {
            return Err(FormErrors {
                values: self,
                errors,
            });
        }
        Ok(ContactForm {
            name: self.name,
            phone: self.phone,
            email: self.email,
            preferred,
            safe_times: self.safe_times,
            voicemail: voicemail.unwrap_or(Voicemail::No),
            for_whom,
            message: self.message,
            consent: true,
        })
    }
}

/// The messages found so far, in the form's language.
struct Errors<'a> {
    found: BTreeMap<Field, String>,
    lang: &'a str,
}

impl Errors<'_> {
    fn insert(&mut self, field: Field, message: Message<'_>) {
        self.found.insert(field, messages::text(message, self.lang));
    }
}

fn check_name(values: &Values, errors: &mut Errors<'_>) {
    if values.name.is_empty() {
        errors.insert(Field::Name, Message::NameMissing);
    } else if values.name.chars().count() > NAME_MAX {
        errors.insert(Field::Name, Message::NameTooLong);
    }
}

fn check_reach(values: &Values, errors: &mut Errors<'_>) {
    if values.phone.is_empty() && values.email.is_empty() {
        errors.insert(Field::Phone, Message::ReachMissing);
        return;
    }
    if !values.phone.is_empty() && !looks_like_phone(&values.phone) {
        errors.insert(Field::Phone, Message::PhoneInvalid);
    }
    if !values.email.is_empty() && !looks_like_email(&values.email) {
        errors.insert(Field::Email, Message::EmailInvalid);
    }
}

fn check_preferred(values: &Values, preferred: Option<Preferred>, errors: &mut Errors<'_>) {
    let message = match preferred {
        Some(Preferred::Call | Preferred::Text) if values.phone.is_empty() => {
            Message::PreferredNeedsPhone
        }
        Some(Preferred::Email) if values.email.is_empty() => Message::PreferredNeedsEmail,
        _ => return,
    };
    if !errors.found.contains_key(&Field::Preferred) {
        errors.insert(Field::Preferred, message);
    }
}

fn check_rest(values: &Values, errors: &mut Errors<'_>) {
    if values.safe_times.chars().count() > LINE_MAX {
        errors.insert(Field::SafeTimes, Message::SafeTimesTooLong);
    }
    let length = values.message.chars().count();
    if length > MESSAGE_MAX {
        errors.insert(Field::Message, Message::MessageTooLong(length));
    }
    if values.consent != "yes" {
        errors.insert(Field::Consent, Message::ConsentMissing);
    }
}

/// An optional choice among fixed answers: empty is no answer, anything unknown is an error. The answers are the
/// enums' serde names, so the form, the stored line and this check cannot disagree.
fn choice<T: serde::de::DeserializeOwned>(
    value: &str,
    field: Field,
    errors: &mut Errors<'_>,
) -> Option<T> {
    if value.is_empty() {
        return None;
    }
    let found = serde_json::from_value(serde_json::Value::String(value.into())).ok();
    if found.is_none() {
        errors.insert(field, Message::UnknownChoice);
    }
    found
}

/// Loose on purpose: 7 to 20 digits, and only what people write around numbers (`+`, brackets, dashes, "ext").
fn looks_like_phone(phone: &str) -> bool {
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    (7..=20).contains(&digits)
        && phone.len() <= 40
        && phone
            .chars()
            .all(|c| c.is_ascii_digit() || c.is_whitespace() || "+-().#/xXeEtT".contains(c))
}

/// Loose on purpose: something, one `@`, and a domain with a dot; no spaces.
fn looks_like_email(email: &str) -> bool {
    let Some((local, domain)) = email.rsplit_once('@') else {
        return false;
    };
    email.len() <= 254
        && !local.is_empty()
        && !email.chars().any(char::is_whitespace)
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
}

#[cfg(test)]
mod tests;
