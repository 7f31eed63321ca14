//! The contact form's messages in each language it speaks: English, and Spanish for the pages in `/es/` (the form
//! sends its page's language in a hidden `lang` field). Any other language gets English. The messages are plain
//! sentences that say what to do; the Spanish ones are plain Spanish for a general US audience, with "usted", and
//! have not yet been reviewed by a qualified translator.

use super::{LINE_MAX, NAME_MAX};

/// Something a person needs to fix, or a notice about the whole form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Message<'a> {
    /// No name.
    NameMissing,
    /// A name over [`NAME_MAX`] characters.
    NameTooLong,
    /// Neither a phone number nor an email address.
    ReachMissing,
    /// A phone number that does not look like one.
    PhoneInvalid,
    /// An email address that does not look like one.
    EmailInvalid,
    /// A call or a text was chosen, with no phone number.
    PreferredNeedsPhone,
    /// Email was chosen, with no email address.
    PreferredNeedsEmail,
    /// Safe times over [`LINE_MAX`] characters.
    SafeTimesTooLong,
    /// A message over the limit; holds its length.
    MessageTooLong(usize),
    /// The consent box is not ticked.
    ConsentMissing,
    /// A choice that is not one of the answers shown.
    UnknownChoice,
    /// The store failed; holds the center's phone number.
    NotStored(&'a str),
    /// The rate limit; holds the center's phone number.
    TooMany(&'a str),
}

/// Whether a form in `lang` gets the Spanish messages (`es`, `es-MX`, `es-419`, …).
fn is_spanish(lang: &str) -> bool {
    lang == "es" || lang.starts_with("es-")
}

/// The message in the form's language.
pub fn text(message: Message<'_>, lang: &str) -> String {
    if is_spanish(lang) {
        spanish(message)
    } else {
        english(message)
    }
}

fn english(message: Message<'_>) -> String {
    match message {
        Message::NameMissing => "Enter your name or a nickname.".into(),
        Message::NameTooLong => format!("Your name can be at most {NAME_MAX} characters long."),
        Message::ReachMissing => {
            "Enter a phone number or an email address, so we can reach you.".into()
        }
        Message::PhoneInvalid => {
            "Enter a phone number with its area code, like 555 555 0100.".into()
        }
        Message::EmailInvalid => "Enter an email address like name@example.com.".into(),
        Message::PreferredNeedsPhone => {
            "You chose a call or a text: enter your phone number too, or choose email.".into()
        }
        Message::PreferredNeedsEmail => {
            "You chose email: enter your email address too, or choose a call or a text.".into()
        }
        Message::SafeTimesTooLong => {
            format!("Keep the safe times short: at most {LINE_MAX} characters.")
        }
        Message::MessageTooLong(length) => {
            format!("Your message is {length} characters long. Make it 1,000 characters or fewer.")
        }
        Message::ConsentMissing => {
            "Tick the box to agree that we may keep your answers to contact you.".into()
        }
        Message::UnknownChoice => "Choose one of the answers shown.".into(),
        Message::NotStored(phone) => format!(
            "Sorry: because of a problem on our side, your message was not sent. Please call us at {phone}, or try again in a few minutes."
        ),
        Message::TooMany(phone) => format!(
            "We have received several messages from your connection in the last few minutes, so we did not keep this one. Please call us at {phone}, or try again later."
        ),
    }
}

fn spanish(message: Message<'_>) -> String {
    match message {
        Message::NameMissing => "Escriba su nombre o un apodo.".into(),
        Message::NameTooLong => format!("Su nombre puede tener hasta {NAME_MAX} letras."),
        Message::ReachMissing => {
            "Escriba un número de teléfono o un correo electrónico para poder contactarle.".into()
        }
        Message::PhoneInvalid => {
            "Escriba un número de teléfono con su código de área, por ejemplo 555 555 0100.".into()
        }
        Message::EmailInvalid => {
            "Escriba un correo electrónico como nombre@ejemplo.com.".into()
        }
        Message::PreferredNeedsPhone => {
            "Usted eligió una llamada o un texto: escriba también su teléfono, o elija correo electrónico."
                .into()
        }
        Message::PreferredNeedsEmail => {
            "Usted eligió correo electrónico: escriba también su correo, o elija una llamada o un texto."
                .into()
        }
        Message::SafeTimesTooLong => {
            format!("Escriba un horario más corto: hasta {LINE_MAX} letras.")
        }
        Message::MessageTooLong(length) => format!(
            "Su mensaje tiene {length} letras. Escriba 1,000 letras o menos."
        ),
        Message::ConsentMissing => {
            "Marque la casilla para aceptar que guardemos sus respuestas para contactarle.".into()
        }
        Message::UnknownChoice => "Elija una de las respuestas de la lista.".into(),
        Message::NotStored(phone) => format!(
            "Lo sentimos: por un problema de nuestro lado, su mensaje no se envió. Llámenos al {phone}, o intente de nuevo en unos minutos."
        ),
        Message::TooMany(phone) => format!(
            "Recibimos varios mensajes desde su conexión en los últimos minutos, así que no guardamos este. Llámenos al {phone}, o intente más tarde."
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spanish_for_spanish_pages_english_for_the_rest() {
        assert_eq!(
            text(Message::NameMissing, "es"),
            "Escriba su nombre o un apodo."
        );
        assert_eq!(
            text(Message::NameMissing, "es-MX"),
            "Escriba su nombre o un apodo."
        );
        assert_eq!(
            text(Message::NameMissing, ""),
            "Enter your name or a nickname."
        );
        assert_eq!(
            text(Message::NameMissing, "fr"),
            "Enter your name or a nickname."
        );
        assert!(text(Message::TooMany("555-0100"), "es").contains("Llámenos al 555-0100"));
    }
}
