//! Unit tests of decoding, validating and viewing the contact form.

use super::*;

const GOOD: &str = "name=Sam&phone=%28555%29+555-0100&email=&preferred=text&safe_times=after+5&voicemail=generic&for_whom=other&message=Hello%0D%0Athere&consent=yes&website=";

fn validate(body: &str) -> Result<ContactForm, FormErrors> {
    Values::decode(body.as_bytes()).unwrap().validate()
}

fn errors(body: &str) -> Vec<(Field, String)> {
    validate(body).unwrap_err().errors.into_iter().collect()
}

#[test]
fn a_good_form_is_valid() {
    let form = validate(GOOD).unwrap();
    assert_eq!(form.name, "Sam");
    assert_eq!(form.phone, "(555) 555-0100");
    assert_eq!(form.preferred, Some(Preferred::Text));
    assert_eq!(form.voicemail, Voicemail::Generic);
    assert_eq!(form.for_whom, Some(ForWhom::SomeoneElse));
    assert_eq!(
        form.message, "Hello\nthere",
        "CRLF from browsers becomes LF"
    );
    assert!(form.consent);
}

#[test]
fn only_name_a_way_to_reach_and_consent_are_required() {
    let form = validate("name=Al&email=al%40example.org&consent=yes").unwrap();
    assert_eq!(
        form.voicemail,
        Voicemail::No,
        "no answer means no voicemail"
    );
    assert_eq!(form.preferred, None);
    assert_eq!(form.for_whom, None);
}

#[test]
fn an_empty_form_names_every_required_field() {
    let fields: Vec<Field> = errors("").into_iter().map(|(f, _)| f).collect();
    assert_eq!(fields, vec![Field::Name, Field::Phone, Field::Consent]);
}

#[test]
fn phone_and_email_are_checked_loosely() {
    assert!(looks_like_phone("+1 (555) 555-0100 ext. 12"));
    assert!(looks_like_phone("5555550100"));
    assert!(!looks_like_phone("12345"));
    assert!(!looks_like_phone("call me maybe 5555550100"));
    assert!(looks_like_email("a.b+c@mail.example.org"));
    assert!(!looks_like_email("a@b"));
    assert!(!looks_like_email("a b@example.org"));
    assert!(!looks_like_email("@example.org"));
    let found = errors("name=A&phone=12&email=nope&consent=yes");
    assert_eq!(found[0].0, Field::Phone);
    assert_eq!(found[1].0, Field::Email);
}

#[test]
fn the_preferred_way_needs_its_detail() {
    let found = errors("name=A&email=a%40b.org&preferred=call&consent=yes");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, Field::Preferred);
    assert!(found[0].1.contains("phone number"), "{}", found[0].1);
}

#[test]
fn unknown_choices_are_errors() {
    let found =
        errors("name=A&email=a%40b.org&preferred=fax&voicemail=maybe&for_whom=dog&consent=yes");
    let fields: Vec<Field> = found.into_iter().map(|(f, _)| f).collect();
    assert_eq!(
        fields,
        vec![Field::Preferred, Field::Voicemail, Field::ForWhom]
    );
}

#[test]
fn the_message_is_limited_to_1000_characters_not_bytes() {
    let ok = format!(
        "name=A&email=a%40b.org&consent=yes&message={}",
        "%C3%A9".repeat(1000)
    );
    assert!(validate(&ok).is_ok());
    let long = format!(
        "name=A&email=a%40b.org&consent=yes&message={}",
        "x".repeat(1001)
    );
    let found = errors(&long);
    assert_eq!(found[0].0, Field::Message);
    assert!(found[0].1.contains("1001 characters"), "{}", found[0].1);
}

#[test]
fn errors_keep_the_values() {
    let err = validate("name=&phone=555&message=keep+me").unwrap_err();
    assert_eq!(err.values.message, "keep me");
    assert_eq!(err.values.phone, "555");
}

#[test]
fn honeypot_marks_spam() {
    assert!(!Values::decode(GOOD.as_bytes()).unwrap().is_spam());
    let spam = format!("{GOOD}http%3A%2F%2Fspam.example");
    assert!(Values::decode(spam.as_bytes()).unwrap().is_spam());
}

#[test]
fn bad_utf8_and_repeated_fields_are_malformed() {
    assert_eq!(Values::decode(b"name=%FF%FE"), Err(Malformed::NotUtf8));
    assert_eq!(Values::decode(b"name=\xff"), Err(Malformed::NotUtf8));
    assert_eq!(Values::decode(b"name=a&name=b"), Err(Malformed::Unreadable));
}

#[test]
fn control_characters_leave_one_line_fields() {
    let values = Values::decode(b"name=A%00B%0AC&message=one%0Atwo%07").unwrap();
    assert_eq!(values.name, "A B C");
    assert_eq!(values.message, "one\ntwo");
}

#[test]
fn the_view_has_every_field_and_a_summary_in_page_order() {
    let blank = FormView::blank();
    assert_eq!(blank.errors.len(), Field::ALL.len());
    assert_eq!(blank.values.voicemail, "no");
    let view = FormView::with_errors(&validate("website=x").unwrap_err());
    let ids: Vec<&str> = view.error_list.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, vec!["f-name", "f-phone", "f-consent"]);
    assert_eq!(view.errors["email"], "");
    let json = serde_json::to_string(&view.values).unwrap();
    assert!(
        !json.contains("website"),
        "the honeypot is never shown again"
    );
}
