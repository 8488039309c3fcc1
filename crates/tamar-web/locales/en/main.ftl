site-name = Tamar
site-description = Government information and services, in one place.
skip-to-content = Skip to main content
language-switcher = Language
nav-main = Main
nav-home = Home
nav-departments = Departments A-Z
nav-transparency = Transparency log
nav-admin = Platform administration
nav-office = My department
nav-account = Your account
nav-sign-in = Sign in
nav-sign-out = Sign out
footer-about = Tamar is the government's platform for information and services online. Every change, and every read of personal data, is written to a public tamper-evident log.
footer-api = Open API

department-code = Code
department-name-en = Name in English
department-name-tc = Name in Traditional Chinese
department-name-sc = Name in Simplified Chinese
department-website = Website

transparency-title = Transparency log
transparency-lead = Every change on this platform, and every read of a person's data, is appended to a log that cannot be altered without detection. Anyone can check it.
transparency-head = Latest signed tree head
transparency-size = Entries
transparency-time = Signed at
transparency-root = Root hash (SHA-256, base64)
transparency-signature = Signature (Ed25519, base64)
transparency-key = Public key (base64)
transparency-empty = The log has no entries yet.
transparency-check = Check it yourself
transparency-check-body = The log is a Merkle tree as in RFC 6962, like Certificate Transparency. These endpoints give the signed head and the proofs that any entry is in it and that it only ever grows:
checkpoint-title = The current checkpoint
checkpoint-keep = Keep a copy of it somewhere of your own, as a text file. If entries were ever removed from the end of the log, the log would no longer extend your copy, and anyone checking with it would see so.
transparency-checkpoint-check = It is the newest signed tree head in the C2SP tlog-checkpoint format: the log's name, the number of entries, the root hash, and the log's signature. To check the log against your copy, run tamar verify-log --trusted-head checkpoint.txt, with the key below given as --public-key.
transparency-checkpoint-format = the newest checkpoint, as a signed note
transparency-verifier-key = The log's verifier key
transparency-verifier-key-body = Checkpoints are signed notes: the tools of transparency logs (witnesses, Go's note package) check them with this key.

error-summary-title = There is a problem
error-page-code = Error code:
error-page-home = Go to the home page

account-title = Your account
account-accesses = Who accessed your data

error-bad_request = The request could not be understood.
error-invalid_json = The request body is not valid JSON.
error-invalid_form = The form could not be read. Please try again.
error-invalid_query = A query parameter is missing or not valid.
error-invalid_input = Some of the information given is not valid.
error-unauthenticated = You need to sign in to do this.
error-forbidden = You do not have permission to do this.
error-csrf_failed = This form has expired or did not come from this site. Go back, reload the page and try again.
error-not_found = Page not found.
error-ledger_entry_not_found = There is no such entry in the log yet.
error-tree_size_out_of_range = There is no signed tree of that size, or the entry is not in it.
error-tree_head_not_found = There is no signed tree head of that size.
error-method_not_allowed = That method is not allowed here.
error-payload_too_large = The request is too large.
error-unsupported_media_type = The request body must be of the type this address accepts (for the API, application/json).
error-too_many_requests = Too many attempts. Wait a while and try again.
error-timeout = The request took too long. Please try again.
error-unavailable = The service is temporarily unavailable. Please try again later.
error-busy = This service is busy right now. Please try again in a few seconds.
error-internal = Sorry, something went wrong on our side. It has been recorded.

account-verify-identity = Verify your identity to use services that need it

error-mfa_required = Set up two-factor sign-in first.

oidc-scope-openid = An identifier for you that only this service sees
oidc-scope-profile = Your name in English and in Chinese
oidc-scope-email = Your email address
oidc-scope-hkid = Your HKID number, partly hidden (for example A123***(3))
oidc-scope-birthdate = Your date of birth
releases-title = Details given to services
error-reauthentication_required = For your security, sign in again to do this.

error-conflict = This cannot be done in the current state.
oidc-scope-address = Your address
oidc-scope-phone = Your phone number
oidc-scope-hkid_full = Your full HKID number

# Portal (GovHK and MyGovHK)
applications-title = My applications
bills-title = My bills
apps-title = Government mobile apps
bookmarks-title = My bookmarks
feed-link = News feed (Atom)
footer-sitemap = Sitemap
inbox-title = My inbox
mygov-nav = My account
nav-content = Content
nav-news = News
nav-search = Search
prefill-title = Pre-fill settings
subscriptions-title = Email updates

# Changes that need the password and second factor again
proof-password = Your password
proof-code = Code from your authenticator app
proof-code-hint = Or one of your recovery codes.

## Rules that input breaks, in the `details` of a validation error
rule-required = a value is required
rule-too_long = it is too long
rule-control_characters = it contains characters that cannot be shown
rule-format = it is not in the expected form
rule-unknown_value = it is not one of the values allowed
rule-out_of_range = it is outside the allowed range
rule-inconsistent = it does not fit with the rest of the form
