package http

import (
	nethttp "net/http"
	"strings"
	"unicode"

	"golang.org/x/text/language"
)

// lang is a page language: Chinese first, English second.
type lang int

const (
	zh lang = iota
	en
)

// Tag returns the language's BCP 47 tag.
func (l lang) Tag() string {
	if l == en {
		return "en"
	}
	return "zh-CN"
}

// Code returns the value the language switch sends.
func (l lang) Code() string {
	if l == en {
		return "en"
	}
	return "zh"
}

// langCookie keeps a person's choice of language: a necessary cookie.
const langCookie = "minimall_lang"

var langMatcher = language.NewMatcher([]language.Tag{language.SimplifiedChinese, language.English})

// langOf returns the language a request asks for: the switch's cookie,
// else the best match of Accept-Language, else Chinese.
func langOf(r *nethttp.Request) lang {
	if c, err := r.Cookie(langCookie); err == nil {
		if l, ok := parseLang(c.Value); ok {
			return l
		}
	}
	tags, _, err := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	if err != nil || len(tags) == 0 {
		return zh
	}
	_, i, conf := langMatcher.Match(tags...)
	if conf == language.No {
		return zh
	}
	return lang(i)
}

func parseLang(s string) (lang, bool) {
	switch s {
	case "zh":
		return zh, true
	case "en":
		return en, true
	}
	return zh, false
}

// localize picks one language out of a bilingual message, which the
// areas write as "English. 中文。": the Chinese part starts at the first
// Chinese character. A message in one language only is returned whole.
func localize(msg string, l lang) string {
	i := strings.IndexFunc(msg, func(r rune) bool { return unicode.Is(unicode.Han, r) })
	if i <= 0 {
		return msg
	}
	if l == zh {
		return msg[i:]
	}
	return strings.TrimSpace(msg[:i])
}
