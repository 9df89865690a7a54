"""The messages a fresh install sends, per event, channel and language.

An administrator overrides any of them with a ``MessageTemplate`` row (same event, channel
and language). Bodies use Django's template syntax with the variables listed in
``notifications.rendering.VARIABLES``. SMS bodies are kept short: diacritics are stripped
when ``SMS_STRIP_DIACRITICS`` is on, and the rest fits one or two segments.
"""

from dossiers.workflow import Event

from .models import RESUME_LINK

SMS = {
    Event.REGISTERED: {
        "vi": "Hồ sơ {{ code }} đã đăng ký trực tuyến{% if payment_url %}, chờ thanh toán: {{ payment_url }}{% else %}, chờ tiếp nhận. Tình trạng: {{ lookup_url }}{% endif %} Biên nhận: {{ receipt_url }}",
        "en": "Dossier {{ code }} was registered online{% if payment_url %} and awaits payment: {{ payment_url }}{% else %} and awaits reception. Status: {{ lookup_url }}{% endif %} Receipt: {{ receipt_url }}",
    },
    Event.PAYMENT_CONFIRMED: {
        "vi": "Hồ sơ {{ code }}: đã nhận thanh toán phí, lệ phí. Tra cứu: {{ lookup_url }}",
        "en": "Dossier {{ code }}: your fee payment was received. Track: {{ lookup_url }}",
    },
    Event.PAYMENT_FAILED: {
        "vi": "Hồ sơ {{ code }}: thanh toán không thành công{% if note %} ({{ note }}){% endif %}. Vui lòng thanh toán lại: {{ payment_url|default:lookup_url }}",
        "en": "Dossier {{ code }}: the payment failed{% if note %} ({{ note }}){% endif %}. Please pay again: {{ payment_url|default:lookup_url }}",
    },
    Event.PAYMENT_EXEMPTED: {
        "vi": "Hồ sơ {{ code }} được miễn phí, lệ phí{% if note %}: {{ note }}{% endif %}. Tra cứu: {{ lookup_url }}",
        "en": "Dossier {{ code }} is exempted from fees{% if note %}: {{ note }}{% endif %}. Track: {{ lookup_url }}",
    },
    Event.RECEIVED: {
        "vi": "{{ agency }} đã tiếp nhận hồ sơ {{ code }}{% if appointment_date %}, hẹn trả kết quả ngày {{ appointment_date }}{% endif %}. Tra cứu: {{ lookup_url }}",
        "en": "{{ agency }} received dossier {{ code }}{% if appointment_date %}; result due on {{ appointment_date }}{% endif %}. Track: {{ lookup_url }}",
    },
    Event.SUPPLEMENT_REQUESTED: {
        "vi": "Hồ sơ {{ code }} cần bổ sung: {{ reason }}. Bổ sung tại: {{ supplement_url|default:lookup_url }}",
        "en": "Dossier {{ code }} needs more documents: {{ reason }}. Supplement at: {{ supplement_url|default:lookup_url }}",
    },
    Event.SUPPLEMENT_RECEIVED: {
        "vi": "Đã nhận hồ sơ bổ sung của hồ sơ {{ code }}. Tra cứu: {{ lookup_url }}",
        "en": "The supplement to dossier {{ code }} was received. Track: {{ lookup_url }}",
    },
    Event.PROCESSING: {
        "vi": "Hồ sơ {{ code }} đang được xử lý{% if appointment_date %}, hẹn trả ngày {{ appointment_date }}{% endif %}. Tra cứu: {{ lookup_url }}",
        "en": "Dossier {{ code }} is being processed{% if appointment_date %}; result due on {{ appointment_date }}{% endif %}. Track: {{ lookup_url }}",
    },
    Event.RESULT_READY: {
        "vi": "Hồ sơ {{ code }} đã có kết quả. {% if result_url %}Tải kết quả: {{ result_url }}{% else %}Mời nhận tại {{ agency }}, mang theo giấy tờ tùy thân.{% endif %}",
        "en": "Dossier {{ code }}: the result is ready. {% if result_url %}Download: {{ result_url }}{% else %}Collect it at {{ agency }} with your ID.{% endif %}",
    },
    Event.REFUSED: {
        "vi": "Hồ sơ {{ code }} bị từ chối. Lý do: {{ reason }}. Chi tiết: {{ lookup_url }}",
        "en": "Dossier {{ code }} was refused. Reason: {{ reason }}. Details: {{ lookup_url }}",
    },
    Event.RETURNED: {
        "vi": "Hồ sơ {{ code }} đã được trả kết quả. {% if rating_url %}Đánh giá: {{ rating_url }}{% else %}Cảm ơn Ông/Bà.{% endif %}",
        "en": "Dossier {{ code }}: the result was handed over. {% if rating_url %}Rate us: {{ rating_url }}{% else %}Thank you.{% endif %}",
    },
    Event.DISPATCHED: {
        "vi": "Kết quả hồ sơ {{ code }} đã gửi qua bưu chính{% if tracking_number %}, số hiệu {{ tracking_number }}{% endif %}.",
        "en": "The result of dossier {{ code }} was sent by post{% if tracking_number %}, tracking number {{ tracking_number }}{% endif %}.",
    },
    Event.DELIVERED: {
        "vi": "Kết quả hồ sơ {{ code }} đã được giao. {% if rating_url %}Đánh giá: {{ rating_url }}{% else %}Cảm ơn Ông/Bà.{% endif %}",
        "en": "The result of dossier {{ code }} was delivered. {% if rating_url %}Rate us: {{ rating_url }}{% else %}Thank you.{% endif %}",
    },
    Event.STOPPED: {
        "vi": "Hồ sơ {{ code }} bị dừng xử lý. Lý do: {{ reason }}. Chi tiết: {{ lookup_url }}",
        "en": "Processing of dossier {{ code }} was stopped. Reason: {{ reason }}. Details: {{ lookup_url }}",
    },
    Event.WITHDRAWN: {
        "vi": "Hồ sơ {{ code }} đã được rút theo yêu cầu của Ông/Bà.",
        "en": "Dossier {{ code }} was withdrawn at your request.",
    },
    Event.APOLOGY: {
        "vi": "{{ agency }} xin lỗi vì trễ hẹn hồ sơ {{ code }}. Ngày hẹn mới: {{ appointment_date }}.{% if reason %} Lý do: {{ reason }}.{% endif %}",
        "en": "{{ agency }} apologises for the delay of dossier {{ code }}. New date: {{ appointment_date }}.{% if reason %} Reason: {{ reason }}.{% endif %}",
    },
    RESUME_LINK: {
        "vi": "Tiếp tục khai hồ sơ {{ procedure }} tại: {{ resume_url }} (dùng được đến {{ expires_at }}). Không chia sẻ đường dẫn này.",
        "en": "Continue your application for {{ procedure }} at: {{ resume_url }} (valid until {{ expires_at }}). Do not share this link.",
    },
}
_GREETING = {"vi": "Kính gửi Ông/Bà {{ applicant_name }},\n\n", "en": "Dear {{ applicant_name }},\n\n"}
_SIGNATURE = {
    "vi": "\n\nXem tình trạng hồ sơ: {{ lookup_url }}\n\nTrân trọng,\n{{ agency }}",
    "en": "\n\nTrack your dossier: {{ lookup_url }}\n\nKind regards,\n{{ agency }}",
}

# (subject, body between the greeting and the signature)
_EMAIL = {
    Event.REGISTERED: {
        "vi": ("Hồ sơ {{ code }} đã được đăng ký trực tuyến",
               "Hồ sơ {{ code }} của Ông/Bà về thủ tục “{{ procedure }}” đã được đăng ký trực tuyến thành công "
               "và đang chờ {{ agency }} tiếp nhận. Ông/Bà sẽ nhận được thông báo khi hồ sơ được tiếp nhận."
               "\n\n{{ visits }} {{ fee }}"
               "\n\nGiấy biên nhận (xem và in lại bất cứ lúc nào, trên mọi thiết bị): {{ receipt_url }}"
               "{% if payment_url %}\n\nHồ sơ chỉ được tiếp nhận sau khi Ông/Bà thanh toán phí, lệ phí trực tuyến tại: "
               "{{ payment_url }}{% endif %}"),
        "en": ("Dossier {{ code }} has been registered online",
               "Your dossier {{ code }} for “{{ procedure }}” was registered online and is waiting to be received "
               "by {{ agency }}. You will be notified when it is received."
               "\n\n{{ visits }} {{ fee }}"
               "\n\nYour receipt (view and print it again at any time, on any device): {{ receipt_url }}"
               "{% if payment_url %}\n\nThe dossier can only be received once you pay the fee online at: "
               "{{ payment_url }}{% endif %}"),
    },
    Event.PAYMENT_CONFIRMED: {
        "vi": ("Hồ sơ {{ code }}: đã nhận thanh toán",
               "Cổng dịch vụ công đã nhận khoản thanh toán phí, lệ phí cho hồ sơ {{ code }}. "
               "Hồ sơ đang chờ {{ agency }} tiếp nhận."),
        "en": ("Dossier {{ code }}: payment received",
               "The fee payment for dossier {{ code }} was received. The dossier is waiting to be received by "
               "{{ agency }}."),
    },
    Event.PAYMENT_FAILED: {
        "vi": ("Hồ sơ {{ code }}: thanh toán không thành công",
               "Khoản thanh toán cho hồ sơ {{ code }} không thành công{% if note %} ({{ note }}){% endif %}. "
               "Ông/Bà vui lòng thực hiện lại thanh toán để hồ sơ được tiếp nhận"
               "{% if payment_url %}: {{ payment_url }}{% endif %}."),
        "en": ("Dossier {{ code }}: payment failed",
               "The payment for dossier {{ code }} failed{% if note %} ({{ note }}){% endif %}. "
               "Please pay again so that the dossier can be received{% if payment_url %}: {{ payment_url }}{% endif %}."),
    },
    Event.PAYMENT_EXEMPTED: {
        "vi": ("Hồ sơ {{ code }} được miễn phí, lệ phí",
               "Hồ sơ {{ code }} được miễn phí, lệ phí{% if note %}. Lý do: {{ note }}{% endif %}. "
               "Hồ sơ đang chờ {{ agency }} tiếp nhận."),
        "en": ("Dossier {{ code }} is exempted from fees",
               "Dossier {{ code }} is exempted from fees{% if note %}. Reason: {{ note }}{% endif %}. "
               "It is waiting to be received by {{ agency }}."),
    },
    Event.RECEIVED: {
        "vi": ("Hồ sơ {{ code }} đã được tiếp nhận",
               "{{ agency }} đã tiếp nhận hồ sơ {{ code }} về thủ tục “{{ procedure }}”."
               "{% if appointment_date %} Ngày hẹn trả kết quả: {{ appointment_date }}.{% endif %}"),
        "en": ("Dossier {{ code }} has been received",
               "{{ agency }} received your dossier {{ code }} for “{{ procedure }}”."
               "{% if appointment_date %} The result is due on {{ appointment_date }}.{% endif %}"),
    },
    Event.SUPPLEMENT_REQUESTED: {
        "vi": ("Hồ sơ {{ code }} cần bổ sung",
               "Hồ sơ {{ code }} cần được bổ sung, sửa đổi.\n\nLý do: {{ reason }}"
               "{% if missing_items %}\n\nGiấy tờ cần bổ sung:\n{% for item in missing_items %}- {{ item }}\n{% endfor %}{% endif %}"
               "\n\nÔng/Bà bổ sung hồ sơ trực tuyến tại: {{ supplement_url|default:lookup_url }}"),
        "en": ("Dossier {{ code }} needs more documents",
               "Dossier {{ code }} needs to be supplemented or corrected.\n\nReason: {{ reason }}"
               "{% if missing_items %}\n\nDocuments needed:\n{% for item in missing_items %}- {{ item }}\n{% endfor %}{% endif %}"
               "\n\nYou can supplement your dossier online at: {{ supplement_url|default:lookup_url }}"),
    },
    Event.SUPPLEMENT_RECEIVED: {
        "vi": ("Đã nhận hồ sơ bổ sung {{ code }}",
               "{{ agency }} đã nhận phần bổ sung của hồ sơ {{ code }}. Hồ sơ tiếp tục được giải quyết."),
        "en": ("Supplement to dossier {{ code }} received",
               "{{ agency }} received the supplement to dossier {{ code }}. Processing continues."),
    },
    Event.PROCESSING: {
        "vi": ("Hồ sơ {{ code }} đang được xử lý",
               "Hồ sơ {{ code }} đã được chuyển đến chuyên viên xử lý."
               "{% if appointment_date %} Ngày hẹn trả kết quả: {{ appointment_date }}.{% endif %}"),
        "en": ("Dossier {{ code }} is being processed",
               "Dossier {{ code }} was passed on for processing."
               "{% if appointment_date %} The result is due on {{ appointment_date }}.{% endif %}"),
    },
    Event.RESULT_READY: {
        "vi": ("Hồ sơ {{ code }} đã có kết quả",
               "Hồ sơ {{ code }} đã có kết quả giải quyết.{% if note %} {{ note }}{% endif %}\n\n"
               "{% if result_url %}Ông/Bà tải kết quả điện tử tại: {{ result_url }}"
               "{% else %}Mời Ông/Bà đến {{ agency }} nhận kết quả, mang theo giấy tờ tùy thân và giấy tiếp nhận hồ sơ."
               "{% endif %}"),
        "en": ("Dossier {{ code }}: the result is ready",
               "The result of dossier {{ code }} is ready.{% if note %} {{ note }}{% endif %}\n\n"
               "{% if result_url %}Download the electronic result at: {{ result_url }}"
               "{% else %}Please collect it at {{ agency }}, bringing your ID and the receipt of your dossier."
               "{% endif %}"),
    },
    Event.REFUSED: {
        "vi": ("Hồ sơ {{ code }} không được tiếp nhận, giải quyết",
               "Rất tiếc, hồ sơ {{ code }} về thủ tục “{{ procedure }}” không được tiếp nhận, giải quyết.\n\n"
               "Lý do: {{ reason }}"),
        "en": ("Dossier {{ code }} was refused",
               "We regret that dossier {{ code }} for “{{ procedure }}” was refused.\n\nReason: {{ reason }}"),
    },
    Event.RETURNED: {
        "vi": ("Hồ sơ {{ code }} đã được trả kết quả",
               "Kết quả của hồ sơ {{ code }} đã được trả cho Ông/Bà."
               "{% if rating_url %}\n\nMời Ông/Bà đánh giá mức độ hài lòng: {{ rating_url }}{% endif %}"),
        "en": ("Dossier {{ code }}: the result was handed over",
               "The result of dossier {{ code }} was handed over to you."
               "{% if rating_url %}\n\nPlease tell us how we did: {{ rating_url }}{% endif %}"),
    },
    Event.DISPATCHED: {
        "vi": ("Kết quả hồ sơ {{ code }} đã được gửi qua bưu chính",
               "Kết quả của hồ sơ {{ code }} đã được gửi qua dịch vụ bưu chính."
               "{% if tracking_number %} Số hiệu bưu gửi: {{ tracking_number }}.{% endif %}"),
        "en": ("The result of dossier {{ code }} was sent by post",
               "The result of dossier {{ code }} was sent by post."
               "{% if tracking_number %} Tracking number: {{ tracking_number }}.{% endif %}"),
    },
    Event.DELIVERED: {
        "vi": ("Kết quả hồ sơ {{ code }} đã được giao",
               "Bưu chính đã giao kết quả của hồ sơ {{ code }}."
               "{% if rating_url %}\n\nMời Ông/Bà đánh giá mức độ hài lòng: {{ rating_url }}{% endif %}"),
        "en": ("The result of dossier {{ code }} was delivered",
               "The post delivered the result of dossier {{ code }}."
               "{% if rating_url %}\n\nPlease tell us how we did: {{ rating_url }}{% endif %}"),
    },
    Event.STOPPED: {
        "vi": ("Hồ sơ {{ code }} bị dừng xử lý",
               "Hồ sơ {{ code }} về thủ tục “{{ procedure }}” đã bị dừng xử lý.\n\nLý do: {{ reason }}"),
        "en": ("Processing of dossier {{ code }} was stopped",
               "Processing of dossier {{ code }} for “{{ procedure }}” was stopped.\n\nReason: {{ reason }}"),
    },
    Event.WITHDRAWN: {
        "vi": ("Hồ sơ {{ code }} đã được rút",
               "Theo yêu cầu của Ông/Bà, hồ sơ {{ code }} về thủ tục “{{ procedure }}” đã được rút."),
        "en": ("Dossier {{ code }} was withdrawn",
               "At your request, dossier {{ code }} for “{{ procedure }}” was withdrawn."),
    },
    Event.APOLOGY: {
        "vi": ("Thư xin lỗi về việc trễ hẹn hồ sơ {{ code }}",
               "{{ agency }} chân thành xin lỗi Ông/Bà vì hồ sơ {{ code }} chưa thể trả kết quả đúng hẹn."
               "{% if reason %}\n\nLý do: {{ reason }}{% endif %}\n\nNgày hẹn trả kết quả mới: {{ appointment_date }}."),
        "en": ("Apology for the delay of dossier {{ code }}",
               "{{ agency }} sincerely apologises that dossier {{ code }} could not be settled on time."
               "{% if reason %}\n\nReason: {{ reason }}{% endif %}\n\nThe new date for the result: {{ appointment_date }}."),
    },
}

EMAIL = {
    event: {language: (subject, _GREETING[language] + body + _SIGNATURE[language])
            for language, (subject, body) in by_language.items()}
    for event, by_language in _EMAIL.items()
}
# A draft has no code, agency or status yet: its own greeting and signature.
EMAIL[RESUME_LINK] = {
    "vi": ("Đường dẫn tiếp tục khai hồ sơ “{{ procedure }}”",
           "Kính gửi Ông/Bà{% if applicant_name %} {{ applicant_name }}{% endif %},\n\n"
           "Hồ sơ đang khai về thủ tục “{{ procedure }}” đã được lưu. Để tiếp tục khai, trên máy này hoặc máy khác, "
           "Ông/Bà mở đường dẫn sau:\n\n{{ resume_url }}\n\n"
           "Đường dẫn dùng được đến {{ expires_at }}; mỗi lần tiếp tục khai, hạn được kéo dài thêm. "
           "Đây là đường dẫn bí mật: ai có nó đều mở được tờ khai, vui lòng không chia sẻ.\n\n"
           "Nếu Ông/Bà không yêu cầu thư này, xin bỏ qua nó.\n\nTrân trọng,\n{{ portal_name }}"),
    "en": ("Link to continue your application for “{{ procedure }}”",
           "Dear {% if applicant_name %}{{ applicant_name }}{% else %}citizen{% endif %},\n\n"
           "Your application for “{{ procedure }}” was saved. To continue it, on this device or another, "
           "open this link:\n\n{{ resume_url }}\n\n"
           "The link works until {{ expires_at }}; each time you continue, the deadline moves on. "
           "It is secret: anyone who has it can open the form, so please do not share it.\n\n"
           "If you did not ask for this message, please ignore it.\n\nKind regards,\n{{ portal_name }}"),
}


def default_template(event, channel, language):
    """``(subject, body)`` of the shipped default; Vietnamese when the language has none."""
    table = SMS if channel == "sms" else EMAIL
    by_language = table[event]
    entry = by_language.get(language) or by_language["vi"]
    return ("", entry) if channel == "sms" else entry
