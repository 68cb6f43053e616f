//! What the HTML pages share: the head (viewport, a content security policy that
//! admits no request at all, the style), the small inline script that filters
//! cases and opens the case a link points to, and a few pieces of markup.
//!
//! A page reads whole without the script: the filter form is hidden until the
//! script shows it, and every case is in the page, folded or not.

use crate::esc;
use std::fmt::Write as _;

const STYLE: &str = "*{box-sizing:border-box}[id]{scroll-margin-top:3.5em}html{-webkit-text-size-adjust:100%}
body{font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;margin:0;color:#1f2328;background:#fff}
.wrap{max-width:84em;margin:0 auto;padding:0 1.2em}
header.top{background:#f6f8fa;border-bottom:1px solid #d0d7de;padding:.6em 0}
header.top nav{font-size:.92em}header.top nav a{margin-right:1.1em}
h1{font-size:1.55em;margin:.5em 0 .3em;overflow-wrap:anywhere}h2{margin:1.8em 0 .5em;padding-bottom:.2em;border-bottom:1px solid #d0d7de;font-size:1.3em}
h3{margin:1.3em 0 .4em;font-size:1.1em}a{color:#0550ae}a:focus-visible,summary:focus-visible,[tabindex]:focus-visible{outline:2px solid #0969da;outline-offset:2px}
code,pre,kbd{font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,'DejaVu Sans Mono',monospace}code{overflow-wrap:anywhere}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f6f8fa;border:1px solid #d0d7de;border-radius:6px;padding:.5em .7em;margin:.4em 0;max-height:22em;overflow:auto}
table{border-collapse:collapse;width:100%;table-layout:fixed;margin:.4em 0 1em}caption{text-align:left;font-weight:600;padding:.3em 0;caption-side:top}
td,th{border-bottom:1px solid #d0d7de;padding:.3em .5em;text-align:left;vertical-align:top;overflow-wrap:anywhere}
thead th{position:sticky;top:0;background:#eef1f4;z-index:1;border-bottom:2px solid #afb8c1}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
table.auto{width:auto;table-layout:auto}table.auto td,table.auto th{overflow-wrap:normal}
.scroll{max-width:100%}.scroll>table{margin:0}
@media (max-width:56em){.scroll{overflow-x:auto}}
.st{display:inline-block;min-width:4.4em;text-align:center;border-radius:4px;padding:0 .4em;font-weight:600;font-size:.82em;color:#fff;line-height:1.6}
.st-pass,.st-conformant,.st-read{background:#1a7f37}.st-fail,.st-error,.st-failed,.st-rig-failed,.st-insufficient-coverage,.st-differs,.st-rejected,.st-not-encoded{background:#cf222e}
.st-depart{background:#0969da}.st-skip,.st-untested,.st-skipped,.st-known{background:#59636e}.st-incomplete,.st-stale,.st-read-unverified{background:#9a6700}
.verdict{font-size:1.15em;margin:.4em 0}.verdict .st{font-size:.95em;padding:.15em .6em}
.lead{background:#fff8c5;border:1px solid #d4a72c;border-radius:6px;padding:.5em .8em}
details.case{border:1px solid #d0d7de;border-left:4px solid #cf222e;border-radius:6px;margin:.45em 0;background:#fff}
details.case[data-status=depart]{border-left-color:#0969da}details.case[data-known]{border-left-color:#59636e}
details.case>summary{padding:.35em .7em;cursor:pointer;overflow-wrap:anywhere}details.case[open]>summary{border-bottom:1px solid #d0d7de;background:#f6f8fa}
details.case>.body{padding:.3em .9em .7em}.body p{margin:.4em 0}
summary{cursor:pointer}details.fold>summary{font-weight:600;padding:.3em 0}
table.diff td,table.diff th{font-size:13px}table.diff .mk{width:2em;text-align:center}table.diff th[scope=row]{width:26%;font-weight:normal}
td.del{background:#ffebe9}td.ins{background:#dafbe1}td.gap{color:#59636e;font-style:italic}
.vh{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
table.matrix th.req{width:12em}table.matrix th.stmt{width:38%}table.matrix td.stmt{font-size:.9em}table.matrix td a{display:block;color:#1f2328}td.pass,td.read{background:#dafbe1}td.fail,td.differs{background:#ffebe9}td.skip,td.untested,td.skipped{background:#f6f8fa}td.depart{background:#ddf4ff}
@media (max-width:56em){table.matrix{min-width:46em}}
@media (max-width:40em){table.matrix{table-layout:auto;min-width:0}table.matrix th,table.matrix td{overflow-wrap:normal;font-size:.85em;padding:.25em .3em}table.matrix .stmt{display:none}}
ul.same{font-size:.9em}.rest{color:#424a53;font-size:.92em}.muted{color:#59636e}
form#filters{display:flex;flex-wrap:wrap;gap:.5em 1em;align-items:end;background:#f6f8fa;border:1px solid #d0d7de;border-radius:6px;padding:.6em .8em;margin:.6em 0}
form#filters label{display:flex;flex-direction:column;font-size:.85em;font-weight:600}
form#filters select,form#filters input{font:inherit;font-weight:normal;padding:.2em .3em;max-width:16em}form#filters input{width:14em}
form#filters output{font-size:.9em;align-self:center}
dl.legend{display:grid;grid-template-columns:max-content 1fr;gap:.25em .8em;font-size:.92em}dl.legend dt{text-align:right}dl.legend dd{margin:0}
.repro{margin:.3em 0}td a{overflow-wrap:anywhere}
@media (max-width:40em){body{font-size:14px}.wrap{padding:0 .7em}.hide-narrow{display:none}dl.legend{grid-template-columns:1fr}dl.legend dt{text-align:left}table.stack thead{display:none}table.stack,table.stack tbody,table.stack tr,table.stack th,table.stack td{display:block;width:auto!important}table.stack tr{border-bottom:1px solid #d0d7de;padding:.35em 0}table.stack td,table.stack th{border:0;padding:.1em .2em}table.stack caption{display:block}table.stack td.n{text-align:left}table.stack td[data-label]{display:inline-block;margin-right:1em}table.stack td[data-label]::before{content:attr(data-label) ': ';color:#59636e}table.diff th[scope=row]{width:30%}}";

/// The page script: filters the elements carrying `data-case` by the form
/// `#filters` (status, level, requirement, area, stage, text), hides a group left empty,
/// and opens (and un-filters) the element a `#fragment` names.
const SCRIPT: &str = "(function(){var d=document,f=d.getElementById('filters'),items=[].slice.call(d.querySelectorAll('[data-case]')),groups=[].slice.call(d.querySelectorAll('[data-group]'));
function v(n){var e=f.elements[n];return e?String(e.value).trim():''}
function apply(){if(!f)return;var s=v('status'),l=v('level'),r=v('req'),a=v('area'),g=v('stage'),q=v('q').toLowerCase(),on=!!(s||l||r||a||g||q),n=0;
items.forEach(function(e){var x=e.dataset,ok=(!s||x.status===s)&&(!l||x.level===l)&&(!r||(' '+x.req+' ').indexOf(' '+r+' ')>=0)&&(!a||x.area===a)&&(!g||x.stage===g)&&(!q||(e.id+' '+x.req+' '+e.textContent).toLowerCase().indexOf(q)>=0);e.hidden=!ok;if(ok)n++});
groups.forEach(function(e){var any=!!e.querySelector('[data-case]:not([hidden])');e.hidden=on&&!any;if(on&&any&&e.tagName==='DETAILS')e.open=true});
var o=d.getElementById('shown');if(o)o.textContent=on?n+' of '+items.length+' cases match':'all '+items.length+' cases shown'}
function go(){var h=location.hash.slice(1);if(!h)return;var t=d.getElementById(decodeURIComponent(h));if(!t)return;
if(f&&t.closest('[hidden]')){f.reset();apply()}for(var e=t;e;e=e.parentElement){if(e.tagName==='DETAILS')e.open=true}t.scrollIntoView()}
if(f){f.hidden=false;f.addEventListener('input',apply);f.addEventListener('change',apply);f.addEventListener('submit',function(e){e.preventDefault()});f.addEventListener('reset',function(){setTimeout(apply,0)});apply();
[].forEach.call(d.querySelectorAll('[data-show-req]'),function(b){b.hidden=false;b.addEventListener('click',function(){f.reset();f.elements.req.value=b.dataset.showReq;apply();f.scrollIntoView()})})}
addEventListener('hashchange',go);go();d.documentElement.dataset.ready='1';if(window.performance&&performance.mark)performance.mark('c169-interactive')})();";

/// The script's SHA-256 for the content security policy, which admits it alone.
fn script_hash() -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(SCRIPT.as_bytes()))
}

/// `<!DOCTYPE html>` to `<body>`: title, viewport, a policy under which the page
/// makes no request, and the style.
pub(crate) fn head(out: &mut String, title: &str) {
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{}'; img-src data:; base-uri 'none'; form-action 'none'\"><title>{}</title><style>{STYLE}</style></head>\n<body>",
        script_hash(),
        esc(title)
    );
}

/// The script and the end of the page.
pub(crate) fn tail(out: &mut String) {
    let _ = write!(out, "\n<script>{SCRIPT}</script>\n</body></html>\n");
}

/// A status as a word on a coloured label: the word carries the meaning.
pub(crate) fn status(s: &str) -> String {
    format!("<span class=\"st st-{0}\">{0}</span>", esc(s))
}

/// A region that scrolls sideways on a narrow window, reachable by keyboard.
pub(crate) fn scroll(label: &str, inner: &str) -> String {
    format!(
        "<div class=scroll tabindex=0 role=region aria-label=\"{}\">{inner}</div>",
        esc(label)
    )
}
