package sandbox

import (
	"net/http"
	"time"

	"minimall"
	"minimall/privacy"
)

// smsPhones are the fields an SMS may be addressed with.
var smsPhones = []privacy.Field{privacy.AccountPhone, privacy.ContactPhone}

func smsKind() kind {
	return kind{
		ops: map[string]operation{
			"sms/send": {
				purposes: []privacy.Purpose{privacy.ForAccount, privacy.ForLogin, privacy.ForAccountRecovery, privacy.ForNotification,
					privacy.ForIncidentResponse, privacy.ForMarketing, privacy.ForRightsRequest},
				fields: smsPhones,
				handle: smsSend,
			},
		},
		controls: map[string]func(*Sandbox) http.HandlerFunc{"GET /sms/last": smsLast},
	}
}

// smsSend "sends" the text: the record is the message.
func smsSend(s *Sandbox, q *Request) (int, any) {
	if len(q.Fields) != 1 || smsPhone(q) == "" {
		return bad("phone_missing")
	}
	if text, _ := q.Params["text"].(string); text == "" {
		return bad("text_missing")
	}
	return http.StatusOK, map[string]string{"message_id": "sms_" + minimall.RandomToken(8)}
}

func smsPhone(q *Request) string {
	for _, f := range smsPhones {
		if p := q.Fields[f]; p != "" {
			return p
		}
	}
	return ""
}

// smsLast returns the last text sent to ?phone=: a test convenience, so a
// tester can read a one-time code the way a person reads their phone.
func smsLast(s *Sandbox) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		phone := r.URL.Query().Get("phone")
		q, ok := s.records.last(func(q *Request) bool {
			return q.Operation == "sms/send" && q.Status == http.StatusOK && phone != "" && smsPhone(q) == phone
		})
		if !ok {
			s.reply(w, http.StatusNotFound, errorBody("no_sms"))
			return
		}
		text, _ := q.Params["text"].(string)
		s.reply(w, http.StatusOK, map[string]any{"text": text, "at": q.At.Format(time.RFC3339Nano)})
	}
}
