departments-title = 政策局及部門一覽
departments-lead = 所有透過 Tamar 為市民提供服務的政策局及部門。
departments-letters = 按字母跳至

department-back = 返回所有部門

account-checkpoint-body = 日誌現時的檢查點涵蓋以上每一項紀錄。
account-checkpoint-more = 甚麼是檢查點，以及如何用它查核日誌

sign-in-title = 登入
sign-in-email = 電郵地址
sign-in-password = 密碼
sign-in-submit = 登入

account-profile = 你的資料
account-name = 姓名
account-email = 電郵地址
account-kind = 帳戶類別
account-department = 部門
account-accesses-lead = 每當有人在本平台讀取或更改你的個人資料，都會被記錄。以下是有關紀錄，最新的排在最前。
account-accesses-none = 暫時沒有人存取你的資料。
account-accesses-older = 較早的記錄
account-sessions-older = 較早的登入
access-when = 時間
access-who = 存取者
access-what = 行動
access-why = 目的

actor-you = 你
actor-citizen = 一名市民
actor-officer = 一名政府人員
actor-officer-of = { $department }的一名人員
actor-platform-admin = 一名平台管理員
actor-system = 平台本身
actor-service = { $service }（你透過 Tamar 登入的服務）
actor-anonymous = 未登入的人士

action-identity-account-create = 開設帳戶
action-identity-account-read = 查閱帳戶資料
action-identity-session-create = 登入
action-identity-session-end = 登出
action-tenancy-department-create = 登記部門

purpose-register-a-department = 登記部門
purpose-open-an-account = 開設帳戶
purpose-sign-in = 登入
purpose-sign-out = 登出
purpose-list-the-department-s-officers = 列出部門人員
purpose-verify-identity-for-a-smart-id-card-application = 為智能身份證申請核實身份

admin-departments-title = 部門
admin-departments-list = 已登記的部門
admin-departments-add = 登記部門
admin-departments-code-hint = 2 至 12 個大楷英文字母或數字，例如 IMMD
admin-departments-submit = 登記部門
admin-departments-created = 已登記部門 { $code }。
admin-departments-invalid = 請檢查此欄：{ $field }
field-code = 代號
field-name-en = 英文名稱
field-name-tc = 繁體中文名稱
field-name-sc = 簡體中文名稱
field-website = 網站

office-title = 我的部門
office-roles = 職務
office-officers = 人員

role-department-admin = 部門管理員
role-content-editor = 內容編輯
role-content-reviewer = 內容審核
role-identity-verifier = 身份核實人員
role-case-officer = 個案主任

error-invalid_credentials = 電郵地址或密碼不正確。
error-role_not_grantable = 你不能在此部門授予該角色。全平台角色須由平台管理員授予，或由該角色專屬的部門授予。
error-department_not_found = 沒有此代號的部門。
error-department_code_taken = 已有部門使用此代號。
error-email_taken = 已有帳戶使用此電郵地址。

sign-in-register = 開設帳戶
office-verifications = 身份核實工作列表

password-too_short = 密碼最少須有 8 個字元。
password-common = 此密碼太常見。請選用較長或較難猜測的密碼；數個互不相關的詞語效果很好。
password-repetitive = 密碼只重複同一字元，請選用較難猜測的密碼。
password-personal = 密碼與你的電郵地址或姓名太接近。
form-invalid-field = 請檢查此欄：{ $field }
field-display-name = 英文姓名
field-name-zh = 中文姓名
field-email = 電郵地址
field-password = 密碼
field-date-of-birth = 出生日期
field-department = 部門
field-roles = 職務

email-verify-subject = 確認你在 Tamar 的電郵地址
email-verify-body =
    { $name }：

    請於 24 小時內開啟以下連結，並按頁面上的按鈕，以確認你 Tamar 帳戶的電郵地址：

    { $link }

    如你並無在 Tamar 開設帳戶，請不用理會本電郵。

register-title = 開設帳戶
register-check-email = 請查看你的電郵
register-sent = 我們已發送電郵至 { $email }。請按電郵的指示繼續；電郵內的連結於 24 小時內有效。
register-name-en = 英文姓名
register-name-en-hint = 與身份證明文件相同，例如 CHAN Tai-man。
register-name-zh = 中文姓名（如有）
register-password-hint = 最少 8 個字元。數個互不相關的詞語可組成安全的密碼。
register-submit = 開設帳戶
verify-email-title = 確認你的電郵地址
verify-email-submit = 確認我的電郵地址

account-verify-email = 請確認你的電郵地址：我們已把連結寄往 { $email }。
account-resend = 再次寄出連結
account-name-zh = 中文姓名
account-assurance = 認證級別
account-hkid = 香港身份證號碼
account-sessions = 你在哪些裝置登入
session-started = 登入時間
session-device = 裝置
session-action = 行動
session-this = 此裝置
session-end = 登出

notice-email-verified = 你的電郵地址已獲確認。
notice-email-sent = 我們已再次寄出連結。
notice-session-ended = 該登入已被登出。
notice-identity-submitted = 謝謝。人員會核實你的身份，結果會在此顯示。

assurance-l0 = 電郵地址尚未確認
assurance-l1 = 電郵地址已確認（第 1 級）
assurance-l2 = 身份已核實（第 2 級）
assurance-l3 = 身份已核實並設有通行密鑰（第 3 級）

identity-title = 核實你的身份
identity-lead = 入境事務處人員會核對你的香港身份證號碼及出生日期。Tamar 只以無法還原的形式保存該號碼。
identity-hkid = 香港身份證號碼
identity-hkid-hint = 例如 A123456(3)。
identity-dob = 出生日期
identity-dob-hint = 年、月、日，例如 1990-07-01。
identity-submit = 提交核實

queue-title = 身份核實工作列表
queue-empty = 暫時沒有待處理的申請。
queue-caption = 等待決定，最早提交的排在最前
queue-decision = 決定
queue-approve = 批准
queue-reject = 拒絕
queue-later = 較後提交的申請
verification-approved = 已批准。該帳戶現為第 2 級。
verification-rejected = 已拒絕。

error-weak_password = 請選用另一個密碼。
error-invalid_link = 此連結無效：可能已被使用或已過期。
error-invalid_hkid = 這不是香港身份證號碼。請以 A123456(3) 的格式輸入。
error-hkid_check_digit = 括號內的檢查數字與號碼不符。請核對你身份證上的號碼。
error-verification_pending = 你的身份已核實或正等待核實。
error-identity_taken = 此身份已登記於另一帳戶。
error-email_not_verified = 請先確認你的電郵地址。

action-identity-email-verify = 確認電郵地址
action-identity-verification-submit = 申請核實身份
action-identity-verification-read = 查閱身份核實申請
action-identity-verification-approve = 核實身份
action-identity-verification-reject = 拒絕身份核實
action-identity-session-revoke = 登出一個登入
purpose-verify-an-email-address = 確認電郵地址
purpose-ask-for-identity-verification = 申請核實身份
purpose-check-an-identity-for-verification = 核對身份以作核實
purpose-verify-identity = 核實身份
purpose-sign-out-elsewhere = 在其他裝置登出

code-title = 輸入你的保安編碼
code-label = 保安編碼
code-hint = 驗證應用程式顯示的 6 位數字編碼，或你的其中一個備用編碼。
code-submit = 繼續
two-factor-title = 雙重認證登入
two-factor-on = 雙重認證登入已啟用。登入時，系統會要求你輸入驗證應用程式的編碼。
two-factor-recovery = 你的備用編碼
two-factor-recovery-lead = 請妥善保存這些編碼。如遺失手機，每個編碼可使用一次。編碼不會再次顯示。
two-factor-continue = 前往你的帳戶
two-factor-required = 政府人員必須使用雙重認證登入。請先完成設定。
two-factor-lead = 使用手機上的驗證應用程式，每 30 秒產生一個新編碼。
two-factor-step-scan = 以驗證應用程式掃描此二維碼。
two-factor-qr = 驗證應用程式的二維碼
two-factor-step-key = 如無法掃描，請輸入此密鑰：
two-factor-step-code = 輸入應用程式顯示的 6 位數字編碼
two-factor-submit = 啟用雙重認證登入
account-two-factor = 雙重認證登入
account-two-factor-on = 已啟用
account-two-factor-off = 未啟用：立即設定
error-invalid_code = 編碼不正確或已被使用。請輸入最新的編碼。
error-sign_in_expired = 你的登入已逾時，請重新輸入電郵地址和密碼。
error-totp_already_enabled = 雙重認證登入已啟用。
action-identity-totp-enable = 啟用雙重認證登入
action-identity-mfa-verify = 提供第二重認證
purpose-turn-on-two-factor-sign-in = 啟用雙重認證登入
purpose-sign-in-with-a-totp = 以保安編碼登入
purpose-sign-in-with-a-recovery-code = 以備用編碼登入

action-oidc-key-rotate = 已發布新的登入簽署密鑰
account-consents = 你與哪些服務分享資料
consent-service = 服務
consent-what = 取得的資料
consent-since = 開始日期
consent-revoke = 停止分享
notice-consent-revoked = 該服務不會再取得你的資料。
action-oidc-consent-grant = 同意與服務分享資料
action-oidc-consent-revoke = 停止與服務分享資料
action-oidc-token-issue = 服務讓你登入
action-oidc-claims-release = 你的資料已交予服務
sign-in-again = 為保障你的安全，請再次登入以繼續。

action-signing-document-sign = 簽署文件
action-signing-document-decline = 拒絕簽署文件
passkey-or = 或使用通行密鑰
passkey-sign-in = 以通行密鑰登入
passkey-add = 新增通行密鑰
passkey-needs-js = 新增或使用通行密鑰須在瀏覽器啟用 JavaScript。
account-passkeys = 通行密鑰
account-passkeys-count = 此帳戶的通行密鑰：{ $count } 個。通行密鑰讓你無須密碼登入；身份已核實的帳戶加上通行密鑰即達第 3 級。
error-passkey_failed = 無法使用通行密鑰，請再試。
action-identity-passkey-add = 新增通行密鑰
purpose-add-a-passkey = 新增通行密鑰
purpose-sign-in-with-a-passkey = 以通行密鑰登入
sign-in-passkey-needed = 該服務要求第 3 級：請以你的通行密鑰登入。
account-address = 地址
account-phone = 電話
contact-title = 表格用聯絡資料
contact-lead = 你允許的服務可用這些資料填寫表格，你無須每次重新輸入。
contact-phone-hint = 例如 2123 4567 或 +852 9123 4567。
contact-submit = 儲存
field-address = 地址
field-phone = 電話
notice-contact-saved = 已儲存你的聯絡資料。
action-identity-contact-update = 更改聯絡資料
purpose-keep-contact-details-for-forms = 保存表格用聯絡資料
office-new-officer = 開設人員帳戶
office-first-password = 首次登入密碼
office-first-password-hint = 請親身交予該人員。他們首次登入時須設定雙重認證登入。
office-create-officer = 開設帳戶
notice-officer-created = 已開設該人員的帳戶。
password-title = 更改密碼
password-lead = 你在其他裝置的登入將會被登出。
password-current = 現時密碼
password-new = 新密碼
password-submit = 更改密碼
notice-password-changed = 你的密碼已更改。你在其他裝置的登入已被登出。
action-identity-password-change = 更改密碼
purpose-change-the-password = 更改密碼

passkey-add-lead = 通行密鑰無須密碼即可登入，因此請先再次輸入密碼。
email-change-title = 更改電郵地址
email-change-lead = 你的帳戶目前使用 { $email }。我們會把連結寄到新地址，你點擊連結後更改即生效。我們亦會通知你現時的地址。
email-change-new = 新電郵地址
email-change-submit = 寄出確認連結
email-change-sent = 我們已把連結寄到 { $email }，請點擊連結完成更改。
two-factor-off-title = 關閉雙重認證登入
two-factor-off-warning = 關閉雙重認證登入後，任何知道你密碼的人都可以你的身份登入。
two-factor-off-submit = 關閉
notice-two-factor-off = 雙重認證登入已關閉，我們已就此發電郵通知你。
action-identity-totp-disable = 關閉雙重認證登入
action-identity-email-change-request = 要求更改電郵地址
action-identity-email-change = 更改電郵地址
purpose-turn-off-two-factor-sign-in = 關閉雙重認證登入
purpose-change-the-email-address = 更改電郵地址
