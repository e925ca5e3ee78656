/*
 * Embeds the support form: <script src="https://<gateway>/support/embed.js" data-lang="id" async></script>
 * puts an iframe where the script tag is and keeps its height equal to the form's, so the page
 * never shows a second scroll bar. Optional: data-lang (en or id), data-title (iframe title).
 */
(function () {
  var base = __PUBLIC_URL__;
  var script = document.currentScript;
  if (!script) return;
  var lang = script.getAttribute('data-lang') || (navigator.language || 'en').slice(0, 2);
  var frame = document.createElement('iframe');
  frame.src = base + '/support?embed=1&lang=' + (lang === 'id' ? 'id' : 'en');
  frame.title = script.getAttribute('data-title') || (lang === 'id' ? 'Formulir dukungan' : 'Support form');
  frame.style.cssText = 'width:100%;border:0;min-height:480px;';
  frame.setAttribute('loading', 'lazy');
  script.parentNode.insertBefore(frame, script);
  window.addEventListener('message', function (event) {
    if (event.origin !== new URL(base).origin || event.source !== frame.contentWindow) return;
    var data = event.data;
    if (data && data.type === 'helpdesk-form:height' && typeof data.height === 'number') {
      frame.style.height = Math.min(Math.max(data.height, 200), 20000) + 'px';
    }
  });
})();
