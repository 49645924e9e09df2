// Starts Swagger UI on /docs. A file rather than an inline script, as the
// Content-Security-Policy allows no inline script (ADR 0049).
"use strict";
(function () {
  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : null;
  }
  var ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    // No call to the public spec validator: the page must work on a closed network.
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
    // "Try it out" with the browser's session sends the CSRF token as a header, as every
    // cookie-authenticated call that changes something must.
    requestInterceptor: function (request) {
      var token = csrfToken();
      if (token) {
        request.headers["X-CSRFToken"] = token;
      }
      return request;
    },
  });
  ui.initOAuth({ clientId: "jejak" });
})();
