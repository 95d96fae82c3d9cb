package rights

import (
	"html/template"
	"io"
)

// WritePage writes the export as a readable page (Chinese first, English
// beside it). html/template escapes every value.
func WritePage(w io.Writer, e *Export) error { return pageTemplate.Execute(w, e) }

var pageTemplate = template.Must(template.New("export").Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>我的个人信息 / My personal information</title>
<style>body{font-family:sans-serif;max-width:60em;margin:auto}table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.3em;vertical-align:top;text-align:left}.muted{color:#666}</style>
</head><body>
<h1>我的个人信息 / My personal information</h1>
<p class="muted">请求 Request {{.RequestID}} · 生成于 Generated {{.GeneratedAt.Format "2006-01-02 15:04:05 MST"}} · 隐私政策第{{.PolicyVersion}}版 / policy version {{.PolicyVersion}}</p>

<h2>我们持有的信息 / What we hold</h2>
<table><tr><th>信息 / Field</th><th>内容 / Value</th><th>目的 / Purposes</th><th>保存期限 / Retention</th></tr>
{{range .Fields}}<tr><td>{{.Name}}<br><span class="muted">{{.NameEN}} ({{.Field}}){{if .Sensitive}} · 敏感 sensitive{{end}}</span></td>
<td>{{if .Values}}{{range .Values}}<div>{{if .Unreadable}}<em>[{{.Unreadable}}]</em>{{else}}{{.Value}}{{end}}{{if .Row}} <span class="muted">#{{.Row}}</span>{{end}}</div>{{end}}{{else}}<span class="muted">未持有 / none held</span>{{end}}</td>
<td>{{range .Purposes}}<div>{{.Name}} / {{.NameEN}} <span class="muted">({{.Basis}})</span></div>{{end}}</td>
<td>{{.Retention.Reason}}{{if .Retention.PeriodDays}} <span class="muted">({{.Retention.PeriodDays}} 天 days)</span>{{end}}</td></tr>
{{end}}</table>

<h2>已声明但未持有的信息 / Declared but not held</h2>
<ul>{{range .NotHeld}}<li>{{.Name}} / {{.NameEN}}: {{.Reason}}</li>{{end}}</ul>

<h2>授权 / Consents</h2>
<table><tr><th>范围 / Scope</th><th>状态 / State</th></tr>
{{range .Consents.Current}}<tr><td>{{.Name}}</td><td>{{if .Basic}}基本功能，无需同意 / basic function{{else}}{{.State}}{{end}}</td></tr>{{end}}</table>
<h3>授权记录 / History</h3>
<ul>{{range .Consents.History}}<li>{{.At.Format "2006-01-02 15:04:05"}} {{.Action}} {{.Scope}} ({{.Kind}}, v{{.PolicyVersion}}, {{.Channel}})</li>{{end}}</ul>

<h2>向合作方提供 / Disclosures to partners</h2>
<table><tr><th>时间 / When</th><th>接收方 / Who</th><th>信息 / What</th><th>目的 / Why</th><th>状态 / Status</th></tr>
{{range .Disclosures}}<tr><td>{{.At.Format "2006-01-02 15:04:05"}}</td><td>{{.Partner}}</td><td>{{range .Fields}}{{.}} {{end}}</td><td>{{.Purpose}}</td><td>{{.Status}}</td></tr>{{end}}</table>

<h2>其他记录：向境外提供、安全事件 / Other records: transfers abroad, security incidents</h2>
{{if .Records}}{{range .Records}}<h3>{{.Title}} <span class="muted">#{{.ID}} · {{.At.Format "2006-01-02 15:04:05 MST"}}</span></h3>
<table>{{range .Facts}}<tr><th>{{.Label}}</th><td>{{.Value}}</td></tr>{{end}}</table>
{{end}}{{else}}<p class="muted">无 / none</p>{{end}}

<h2>自动化决策 / Automated decisions</h2>
{{if .AutomatedDecisions.Entries}}<ul>{{range .AutomatedDecisions.Entries}}<li>{{.}}</li>{{end}}</ul>{{else}}<p>{{.AutomatedDecisions.Note}}</p>{{end}}
</body></html>
`))
