site-name = Tamar 添馬
site-description = 政府資訊及服務，一站提供。
skip-to-content = 跳至主要內容
language-switcher = 語言
nav-main = 主選單
nav-home = 首頁
nav-departments = 政府部門一覽
nav-transparency = 透明日誌
nav-admin = 平台管理
nav-office = 我的部門
nav-account = 我的帳戶
nav-sign-in = 登入
nav-sign-out = 登出
footer-about = Tamar 是政府的網上資訊及服務平台。每項更改及每次讀取個人資料，均記錄於公開而防篡改的日誌。
footer-api = 開放應用程式介面

department-code = 代號
department-name-en = 英文名稱
department-name-tc = 繁體中文名稱
department-name-sc = 簡體中文名稱
department-website = 網站

transparency-title = 透明日誌
transparency-lead = 本平台的每項更改，以及每次讀取個人資料，都會加入一個一經改動即可被發現的日誌。任何人均可查核。
transparency-head = 最新簽署樹頭
transparency-size = 紀錄數目
transparency-time = 簽署時間
transparency-root = 根雜湊值（SHA-256，base64）
transparency-signature = 簽署（Ed25519，base64）
transparency-key = 公開密碼匙（base64）
transparency-empty = 日誌暫時沒有紀錄。
transparency-check = 自行查核
transparency-check-body = 日誌是一棵依照 RFC 6962 的默克爾樹，與憑證透明度（Certificate Transparency）相同。以下端點提供已簽署的樹頭，以及證明任何紀錄已包含其中、而日誌只會增長的證明：
checkpoint-title = 現時的檢查點
checkpoint-keep = 請把它另存一份在你自己的地方（存成文字檔）。如果日誌末端的紀錄日後被刪去，日誌便不再延續你保存的這一份，任何人用它查核都會發現。
transparency-checkpoint-check = 這是最新的已簽署樹頭，採用 C2SP tlog-checkpoint 格式：日誌名稱、紀錄數目、根雜湊值，以及日誌的簽署。要用你保存的一份查核日誌，請執行 tamar verify-log --trusted-head checkpoint.txt，並以 --public-key 提供下面的密碼匙。
transparency-checkpoint-format = 最新的檢查點，以已簽署筆記格式提供
transparency-verifier-key = 日誌的驗證密碼匙
transparency-verifier-key-body = 檢查點是已簽署的筆記（signed note）：透明日誌的工具（見證者、Go 的 note 套件）會用這個密碼匙查核。

error-summary-title = 出現問題
error-page-code = 錯誤代碼：
error-page-home = 前往首頁

account-title = 我的帳戶
account-accesses = 誰曾存取你的資料

error-bad_request = 無法理解此要求。
error-invalid_json = 要求內容並非有效的 JSON。
error-invalid_form = 無法讀取表格，請再試一次。
error-invalid_query = 查詢參數缺失或無效。
error-invalid_input = 部分資料無效。
error-unauthenticated = 你須先登入才可進行此操作。
error-forbidden = 你沒有權限進行此操作。
error-csrf_failed = 此表格已過期或並非來自本網站。請返回上一頁，重新載入後再試。
error-not_found = 找不到網頁。
error-ledger_entry_not_found = 日誌中暫時沒有此紀錄。
error-tree_size_out_of_range = 沒有此大小的已簽署樹，或該紀錄不在其中。
error-tree_head_not_found = 沒有此大小的已簽署樹頭。
error-method_not_allowed = 此處不接受該方法。
error-payload_too_large = 要求的內容過大。
error-unsupported_media_type = 要求內容的類型不獲接受（應用程式介面只接受 application/json）。
error-too_many_requests = 嘗試次數過多，請稍後再試。
error-timeout = 處理時間過長，請再試一次。
error-unavailable = 服務暫時未能提供，請稍後再試。
error-busy = 服務現正繁忙，請於數秒後再試。
error-internal = 抱歉，系統出現問題，我們已作記錄。

account-verify-identity = 核實身份，以使用需要核實身份的服務

error-mfa_required = 請先設定雙重認證登入。

oidc-scope-openid = 只有此服務才會看到的識別碼
oidc-scope-profile = 你的英文及中文姓名
oidc-scope-email = 你的電郵地址
oidc-scope-hkid = 你的香港身份證號碼（部分隱藏，例如 A123***(3)）
oidc-scope-birthdate = 你的出生日期
releases-title = 已提供予服務的資料
error-reauthentication_required = 為保障你的安全，請再次登入後才進行此操作。

error-conflict = 在目前狀態下無法進行此操作。
oidc-scope-address = 你的地址
oidc-scope-phone = 你的電話號碼
oidc-scope-hkid_full = 你完整的香港身份證號碼

# Portal (GovHK and MyGovHK)
applications-title = 我的申請
bills-title = 我的賬單
apps-title = 政府流動應用程式
bookmarks-title = 我的書籤
feed-link = 新聞訂閱（Atom）
footer-sitemap = 網站地圖
inbox-title = 我的收件匣
mygov-nav = 我的帳戶
nav-content = 內容
nav-news = 新聞
nav-search = 搜尋
prefill-title = 預填設定
subscriptions-title = 電郵更新

# Changes that need the password and second factor again
proof-password = 你的密碼
proof-code = 驗證應用程式的編碼
proof-code-hint = 或其中一個備用編碼。

## Rules that input breaks, in the `details` of a validation error
rule-required = 必須填寫
rule-too_long = 內容過長
rule-control_characters = 包含無法顯示的字元
rule-format = 格式不正確
rule-unknown_value = 不是可接受的選項
rule-out_of_range = 超出許可範圍
rule-inconsistent = 與表格其他內容不符
