departments-title = Bureaux and departments A-Z
departments-lead = Every bureau and department that serves the public through Tamar.
departments-letters = Jump to a letter

department-back = Back to all departments

account-checkpoint-body = The log's current checkpoint covers every entry above.
account-checkpoint-more = What a checkpoint is, and how to check the log with it

sign-in-title = Sign in
sign-in-email = Email address
sign-in-password = Password
sign-in-submit = Sign in

account-profile = Your details
account-name = Name
account-email = Email address
account-kind = Account type
account-department = Department
account-accesses-lead = Every time someone read or changed your personal data on this platform, it was logged. This is that record, newest first.
account-accesses-none = Nobody has accessed your data yet.
account-accesses-older = Older entries
account-sessions-older = Older sessions
access-when = When
access-who = Who
access-what = What
access-why = Why

actor-you = You
actor-citizen = A member of the public
actor-officer = A government officer
actor-officer-of = An officer of { $department }
actor-platform-admin = A platform administrator
actor-system = The platform
actor-service = { $service }, a service you signed in to with Tamar
actor-anonymous = Someone not signed in

action-identity-account-create = Opened the account
action-identity-account-read = Viewed the account's details
action-identity-session-create = Signed in
action-identity-session-end = Signed out
action-tenancy-department-create = Registered a department

purpose-register-a-department = Register a department
purpose-open-an-account = Open an account
purpose-sign-in = Sign in
purpose-sign-out = Sign out
purpose-list-the-department-s-officers = List the department's officers
purpose-verify-identity-for-a-smart-id-card-application = Verify identity for a smart ID card application

admin-departments-title = Departments
admin-departments-list = Registered departments
admin-departments-add = Register a department
admin-departments-code-hint = 2 to 12 capital letters or digits, for example IMMD
admin-departments-submit = Register department
admin-departments-created = Department { $code } registered.
admin-departments-invalid = Check this field: { $field }
field-code = Code
field-name-en = Name in English
field-name-tc = Name in Traditional Chinese
field-name-sc = Name in Simplified Chinese
field-website = Website

office-title = My department
office-roles = Roles
office-officers = Officers

role-department-admin = Department administrator
role-content-editor = Content editor
role-content-reviewer = Content reviewer
role-identity-verifier = Identity verifier
role-case-officer = Case officer

error-invalid_credentials = The email address or password is not right.
error-role_not_grantable = You cannot grant that role in this department. Platform-wide roles are granted by a platform administrator, or by the department they are reserved for.
error-department_not_found = There is no department with that code.
error-department_code_taken = A department with that code already exists.
error-email_taken = An account with that email address already exists.

sign-in-register = Create an account
office-verifications = Identity verification queue

password-too_short = The password must be at least 8 characters long.
password-common = That password is too common. Choose a longer or less predictable one; a few unrelated words work well.
password-repetitive = The password repeats one character. Choose something less predictable.
password-personal = The password is too close to your email address or name.
form-invalid-field = Check this field: { $field }
field-display-name = Name in English
field-name-zh = Name in Chinese
field-email = Email address
field-password = Password
field-date-of-birth = Date of birth
field-department = Department
field-roles = Roles

email-verify-subject = Confirm your email address for Tamar
email-verify-body =
    Dear { $name },

    To confirm the email address of your Tamar account, open this link within 24 hours and press the button on the page:

    { $link }

    If you did not open an account on Tamar, you can ignore this email.

register-title = Create an account
register-check-email = Check your email
register-sent = We have sent an email to { $email }. Follow what it says to go on; a link in it works for 24 hours.
register-name-en = Name in English
register-name-en-hint = As on your identity document, for example CHAN Tai-man.
register-name-zh = Name in Chinese (if you have one)
register-password-hint = At least 8 characters. A few unrelated words make a strong password.
register-submit = Create account
verify-email-title = Confirm your email address
verify-email-submit = Confirm my email address

account-verify-email = Confirm your email address: we sent a link to { $email }.
account-resend = Send the link again
account-name-zh = Name in Chinese
account-assurance = Level of assurance
account-hkid = HKID
account-sessions = Where you are signed in
session-started = Signed in
session-device = Device
session-action = Action
session-this = this device
session-end = Sign out

notice-email-verified = Your email address is confirmed.
notice-email-sent = We have sent the link again.
notice-session-ended = That session has been signed out.
notice-identity-submitted = Thank you. An officer will check your identity; you will see the result here.

assurance-l0 = Email address not yet confirmed
assurance-l1 = Email address confirmed (level 1)
assurance-l2 = Identity verified (level 2)
assurance-l3 = Identity verified, with a passkey (level 3)

identity-title = Verify your identity
identity-lead = An officer of the Immigration Department checks your Hong Kong Identity Card number and date of birth. Tamar keeps the number only in a form that cannot be read back.
identity-hkid = Hong Kong Identity Card number
identity-hkid-hint = For example A123456(3).
identity-dob = Date of birth
identity-dob-hint = Year, month and day, for example 1990-07-01.
identity-submit = Send for verification

queue-title = Identity verification queue
queue-empty = Nothing is waiting.
queue-caption = Waiting for a decision, oldest first
queue-decision = Decision
queue-approve = Approve
queue-reject = Reject
queue-later = Later submissions
verification-approved = Approved. The account is now at level 2.
verification-rejected = Rejected.

error-weak_password = Choose a different password.
error-invalid_link = This link is not valid: it may have been used already or have expired.
error-invalid_hkid = That is not a Hong Kong Identity Card number. Enter it like A123456(3).
error-hkid_check_digit = The check digit (in brackets) does not match the number. Check the number on your card.
error-verification_pending = Your identity is already verified or waiting to be checked.
error-identity_taken = This identity is already registered to another account.
error-email_not_verified = Confirm your email address first.

action-identity-email-verify = Confirmed the email address
action-identity-verification-submit = Asked for identity verification
action-identity-verification-read = Read the identity verification request
action-identity-verification-approve = Verified the identity
action-identity-verification-reject = Rejected the identity verification
action-identity-session-revoke = Signed out a session
purpose-verify-an-email-address = Verify an email address
purpose-ask-for-identity-verification = Ask for identity verification
purpose-check-an-identity-for-verification = Check an identity for verification
purpose-verify-identity = Verify identity
purpose-sign-out-elsewhere = Sign out elsewhere

code-title = Enter your security code
code-label = Security code
code-hint = The 6-digit code from your authenticator app, or one of your recovery codes.
code-submit = Continue
two-factor-title = Two-factor sign-in
two-factor-on = Two-factor sign-in is on. You will be asked for a code from your authenticator app when you sign in.
two-factor-recovery = Your recovery codes
two-factor-recovery-lead = Keep these codes somewhere safe. Each one works once, if you lose your phone. They will not be shown again.
two-factor-continue = Continue to your account
two-factor-required = Government officers must use two-factor sign-in. Set it up to continue.
two-factor-lead = Use an authenticator app on your phone to make a new code every 30 seconds.
two-factor-step-scan = Scan this QR code with your authenticator app.
two-factor-qr = QR code for your authenticator app
two-factor-step-key = If you cannot scan it, enter this key:
two-factor-step-code = Enter the 6-digit code that the app shows
two-factor-submit = Turn on two-factor sign-in
account-two-factor = Two-factor sign-in
account-two-factor-on = On
account-two-factor-off = Off: set it up
error-invalid_code = The code is not right, or has been used. Try the newest code.
error-sign_in_expired = Your sign-in has expired. Please enter your email address and password again.
error-totp_already_enabled = Two-factor sign-in is already on.
action-identity-totp-enable = Turned on two-factor sign-in
action-identity-mfa-verify = Gave a second factor
purpose-turn-on-two-factor-sign-in = Turn on two-factor sign-in
purpose-sign-in-with-a-totp = Sign in with a security code
purpose-sign-in-with-a-recovery-code = Sign in with a recovery code

action-oidc-key-rotate = A new key for signing sign-ins was published
account-consents = Services you share your details with
consent-service = Service
consent-what = What they get
consent-since = Since
consent-revoke = Stop sharing
notice-consent-revoked = That service no longer gets your details.
action-oidc-consent-grant = Agreed to share details with a service
action-oidc-consent-revoke = Stopped sharing details with a service
action-oidc-token-issue = A service signed you in
action-oidc-claims-release = Your details were given to a service
sign-in-again = For your security, sign in again to continue.

action-signing-document-sign = Signed a document
action-signing-document-decline = Declined to sign a document
passkey-or = Or use a passkey
passkey-sign-in = Sign in with a passkey
passkey-add = Add a passkey
passkey-needs-js = Adding or using a passkey needs JavaScript in your browser.
account-passkeys = Passkeys
account-passkeys-count = Passkeys on this account: { $count }. A passkey signs you in without a password, and with a verified identity it gives level 3.
error-passkey_failed = The passkey could not be used. Try again.
action-identity-passkey-add = Added a passkey
purpose-add-a-passkey = Add a passkey
purpose-sign-in-with-a-passkey = Sign in with a passkey
sign-in-passkey-needed = The service asks for level 3: sign in with your passkey.
account-address = Address
account-phone = Phone
contact-title = Contact details for forms
contact-lead = Services you allow can fill in forms with these details, so that you do not type them each time.
contact-phone-hint = For example 2123 4567 or +852 9123 4567.
contact-submit = Save
field-address = Address
field-phone = Phone
notice-contact-saved = Your contact details are saved.
action-identity-contact-update = Changed contact details
purpose-keep-contact-details-for-forms = Keep contact details for forms
office-new-officer = Open an officer's account
office-first-password = First password
office-first-password-hint = Give it to the officer in person. They set up two-factor sign-in when they first sign in.
office-create-officer = Open the account
notice-officer-created = The officer's account is open.
password-title = Change your password
password-lead = Your other sessions will be signed out.
password-current = Current password
password-new = New password
password-submit = Change password
notice-password-changed = Your password is changed. Your other sessions were signed out.
action-identity-password-change = Changed the password
purpose-change-the-password = Change the password

passkey-add-lead = A passkey signs in without your password, so give your password again first.
email-change-title = Change your email address
email-change-lead = Your account uses { $email }. We will send a link to the new address; the change takes effect when you follow it. We will also tell your current address.
email-change-new = New email address
email-change-submit = Send the confirmation link
email-change-sent = We sent a link to { $email }. Follow it to finish the change.
two-factor-off-title = Turn off two-factor sign-in
two-factor-off-warning = Without two-factor sign-in, anyone who learns your password can sign in as you.
two-factor-off-submit = Turn it off
notice-two-factor-off = Two-factor sign-in is off. We emailed you about it.
action-identity-totp-disable = Turned off two-factor sign-in
action-identity-email-change-request = Asked to change the email address
action-identity-email-change = Changed the email address
purpose-turn-off-two-factor-sign-in = Turn off two-factor sign-in
purpose-change-the-email-address = Change the email address
