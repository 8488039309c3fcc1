//! The messages Notify sends, each written out in the three languages (one template file per
//! language in `templates/`), so that translators edit whole messages, not fragments.

use askama::Template;
use tamar_core::Lang;

use crate::{Email, NotifyError};

/// New or updated content on a topic or from a department that someone subscribed to.
pub struct ContentUpdate {
    pub lang: Lang,
    pub title: String,
    pub summary: String,
    pub department: String,
    /// The page's address.
    pub url: String,
    /// Where the subscriber manages their subscriptions.
    pub manage_url: String,
    /// A first publication, rather than an update.
    pub is_new: bool,
}

#[derive(Template)]
#[template(path = "content_update.en.txt")]
struct ContentUpdateEn<'a>(&'a ContentUpdate);
#[derive(Template)]
#[template(path = "content_update.tc.txt")]
struct ContentUpdateTc<'a>(&'a ContentUpdate);
#[derive(Template)]
#[template(path = "content_update.sc.txt")]
struct ContentUpdateSc<'a>(&'a ContentUpdate);

impl ContentUpdate {
    pub fn subject(&self) -> String {
        match (self.lang, self.is_new) {
            (Lang::En, true) => format!("New on GovHK: {}", self.title),
            (Lang::En, false) => format!("Updated on GovHK: {}", self.title),
            (Lang::Tc, true) => format!("香港政府一站通新內容：{}", self.title),
            (Lang::Tc, false) => format!("香港政府一站通內容更新：{}", self.title),
            (Lang::Sc, true) => format!("香港政府一站通新内容：{}", self.title),
            (Lang::Sc, false) => format!("香港政府一站通内容更新：{}", self.title),
        }
    }

    /// The email to `to`, in the subscriber's language.
    pub fn email(&self, to: &str) -> Result<Email, NotifyError> {
        let body = match self.lang {
            Lang::En => ContentUpdateEn(self).render(),
            Lang::Tc => ContentUpdateTc(self).render(),
            Lang::Sc => ContentUpdateSc(self).render(),
        }
        .map_err(|e| NotifyError::Compose(e.to_string()))?;
        Ok(Email { to: to.to_owned(), subject: self.subject(), body })
    }
}

/// What changed in an account, for the notice sent to its holder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AccountChangeKind {
    PasskeyAdded,
    PasswordChanged,
    /// A change to this new address was asked for (the notice goes to the old one).
    EmailChangeRequested(String),
    SecondFactorOff,
}

/// A change that could hand the account to someone else: its holder is told at once.
pub struct AccountChange {
    pub lang: Lang,
    pub name: String,
    pub change: AccountChangeKind,
    /// When, as shown: `2026-12-01 21:40`.
    pub when: String,
    /// Where the holder reviews their account.
    pub account_url: String,
}

#[derive(Template)]
#[template(path = "account_change.en.txt")]
struct AccountChangeEn<'a>(&'a AccountChange);
#[derive(Template)]
#[template(path = "account_change.tc.txt")]
struct AccountChangeTc<'a>(&'a AccountChange);
#[derive(Template)]
#[template(path = "account_change.sc.txt")]
struct AccountChangeSc<'a>(&'a AccountChange);

impl AccountChange {
    pub fn subject(&self) -> &'static str {
        match self.lang {
            Lang::En => "Security notice: a change to your Tamar account",
            Lang::Tc => "保安通知：你的 Tamar 帳戶有變更",
            Lang::Sc => "安全通知：你的 Tamar 账户有变更",
        }
    }

    /// The notice to `to`, in the holder's language.
    pub fn email(&self, to: &str) -> Result<Email, NotifyError> {
        let body = match self.lang {
            Lang::En => AccountChangeEn(self).render(),
            Lang::Tc => AccountChangeTc(self).render(),
            Lang::Sc => AccountChangeSc(self).render(),
        }
        .map_err(|e| NotifyError::Compose(e.to_string()))?;
        Ok(Email { to: to.to_owned(), subject: self.subject().to_owned(), body })
    }
}

/// Someone tried to register with the address of an existing account: its owner is told, in
/// their language, instead of the person registering being told that the address is taken.
pub struct RegistrationAttempt {
    pub lang: Lang,
    /// The owner's name.
    pub name: String,
    /// The address, as the account has it.
    pub email: String,
    /// The sign-in page in the owner's language.
    pub sign_in_url: String,
}

#[derive(Template)]
#[template(path = "registration_attempt.en.txt")]
struct RegistrationAttemptEn<'a>(&'a RegistrationAttempt);
#[derive(Template)]
#[template(path = "registration_attempt.tc.txt")]
struct RegistrationAttemptTc<'a>(&'a RegistrationAttempt);
#[derive(Template)]
#[template(path = "registration_attempt.sc.txt")]
struct RegistrationAttemptSc<'a>(&'a RegistrationAttempt);

impl RegistrationAttempt {
    pub fn subject(&self) -> &'static str {
        match self.lang {
            Lang::En => "Someone tried to register with your email address",
            Lang::Tc => "有人嘗試以你的電郵地址登記",
            Lang::Sc => "有人尝试以你的电邮地址登记",
        }
    }

    /// The email to the owner.
    pub fn email(&self) -> Result<Email, NotifyError> {
        let body = match self.lang {
            Lang::En => RegistrationAttemptEn(self).render(),
            Lang::Tc => RegistrationAttemptTc(self).render(),
            Lang::Sc => RegistrationAttemptSc(self).render(),
        }
        .map_err(|e| NotifyError::Compose(e.to_string()))?;
        Ok(Email { to: self.email.clone(), subject: self.subject().to_owned(), body })
    }
}
