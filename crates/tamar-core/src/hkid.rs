//! Hong Kong Identity Card numbers.
//!
//! One or two letters, six digits and a check digit (0-9 or A), written `A123456(3)` or
//! `A1234563`. Letters count A=10 … Z=35, a missing first letter counts 36; the weights are 9
//! down to 2; the check digit is (11 − sum mod 11) mod 11, with 10 written A.

use std::fmt;

#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Hkid {
    letters: String,
    digits: String,
    check: char,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HkidError {
    #[error("not in the form A123456(7)")]
    Format,
    #[error("the check digit does not match")]
    CheckDigit,
}

fn letter_value(c: char) -> u32 {
    u32::from(c) - u32::from('A') + 10
}

/// The check digit for letters and six digits, both already validated.
fn check_digit(letters: &str, digits: &str) -> char {
    let mut values: Vec<u32> = Vec::with_capacity(8);
    if letters.len() == 1 {
        values.push(36);
    }
    values.extend(letters.chars().map(letter_value));
    values.extend(digits.chars().filter_map(|d| d.to_digit(10)));
    let sum: u32 = values.iter().zip((2..=9).rev()).map(|(v, w)| v * w).sum();
    match (11 - sum % 11) % 11 {
        10 => 'A',
        n => char::from_digit(n, 10).unwrap_or('0'),
    }
}

impl Hkid {
    /// Parses `A123456(3)`, `A1234563`, `a123456(3)` or ` CA182361(1) `.
    pub fn parse(input: &str) -> Result<Hkid, HkidError> {
        let text: String = input.trim().to_ascii_uppercase();
        if text.len() > 11 || !text.is_ascii() {
            return Err(HkidError::Format);
        }
        let compact: String = match (text.find('('), text.ends_with(')')) {
            (Some(open), true) if open + 3 == text.len() => format!("{}{}", &text[..open], &text[open + 1..open + 2]),
            (None, false) => text,
            _ => return Err(HkidError::Format),
        };
        let letters: String = compact.chars().take_while(char::is_ascii_uppercase).collect();
        let rest = &compact[letters.len()..];
        if !(1..=2).contains(&letters.len()) || rest.len() != 7 {
            return Err(HkidError::Format);
        }
        let (digits, check) = rest.split_at(6);
        let check = check.chars().next().ok_or(HkidError::Format)?;
        if !digits.chars().all(|c| c.is_ascii_digit()) || !(check.is_ascii_digit() || check == 'A') {
            return Err(HkidError::Format);
        }
        if check_digit(&letters, digits) != check {
            return Err(HkidError::CheckDigit);
        }
        Ok(Hkid { letters, digits: digits.to_owned(), check })
    }

    /// The canonical form without brackets, e.g. `A1234563`: what is hashed.
    pub fn normalized(&self) -> String {
        format!("{}{}{}", self.letters, self.digits, self.check)
    }

    /// The only form that may be shown or stored in the clear: `A123***(3)`.
    pub fn masked(&self) -> String {
        format!("{}{}***({})", self.letters, &self.digits[..3], self.check)
    }

    /// The full number as printed on the card, `A123456(3)`; show it only to its holder.
    pub fn full(&self) -> String {
        format!("{}{}({})", self.letters, self.digits, self.check)
    }
}

/// Never the full number, so that a stray `{:?}` cannot leak it into a log.
impl fmt::Debug for Hkid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hkid({})", self.masked())
    }
}

impl fmt::Display for Hkid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_published_examples() {
        assert!(Hkid::parse("A123456(3)").is_ok());
        assert!(Hkid::parse("A1234563").is_ok());
        assert!(Hkid::parse("CA182361(1)").is_ok());
        assert!(Hkid::parse("G123456(A)").is_ok());
        assert_eq!(Hkid::parse("C876300(0)"), Err(HkidError::CheckDigit));
        assert!(Hkid::parse("C876300(1)").is_ok(), "its check digit is 1");
    }

    #[test]
    fn forms_and_masking() {
        let id = Hkid::parse(" a123456(3) ").unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(id.normalized(), "A1234563");
        assert_eq!(id.full(), "A123456(3)");
        assert_eq!(id.masked(), "A123***(3)");
        assert_eq!(format!("{id:?} {id}"), "Hkid(A123***(3)) A123***(3)");
        assert_eq!(Hkid::parse("g123456a").map(|h| h.full()), Ok("G123456(A)".to_owned()));
    }

    #[test]
    fn malformed_numbers() {
        for bad in ["", "A", "123456(3)", "ABC123456(3)", "A12345(3)", "A1234567(3)", "A123456(B)", "A123456(3", "A123456)3(", "A12345X(3)", "Ａ123456(3)", "A123456((3))", "A123456(33)"] {
            assert_eq!(Hkid::parse(bad), Err(HkidError::Format), "{bad:?}");
        }
        assert_eq!(Hkid::parse("A123456(4)"), Err(HkidError::CheckDigit));
    }
}
