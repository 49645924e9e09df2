// Starts Swagger UI on /docs. A file rather than an inline script, as the
// Content-Security-Policy allows no inline script (ADR 0049).
"use strict";
(function () {
  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : null;
  }
  // An operation's path is drawn inside the button that opens the operation; as a deep link
  // it would be a link inside a button, which keyboards and screen readers cannot use. Drawn
  // as plain text instead: the address still follows the open operation (deepLinking).
  function plainTextPaths() {
    return {
      wrapComponents: {
        DeepLink: function (Original, system) {
          return function (props) {
            return system.React.createElement(Original, Object.assign({}, props, { enabled: false }));
          };
        },
      },
    };
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
    plugins: [plainTextPaths],
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

  // The request body's text box has no label of its own: name it by its section's title
  // ("Request body"), whenever "Try it out" draws one.
  var labelled = 0;
  function labelBodyBoxes() {
    var boxes = document.querySelectorAll("textarea.body-param__text:not([aria-labelledby])");
    Array.prototype.forEach.call(boxes, function (box) {
      var section = box.closest(".opblock-section-request-body");
      var title = section && section.querySelector(".opblock-title");
      if (title) {
        title.id = title.id || "request-body-title-" + ++labelled;
        box.setAttribute("aria-labelledby", title.id);
      }
    });
  }
  new MutationObserver(labelBodyBoxes).observe(document.getElementById("swagger-ui"), {
    childList: true,
    subtree: true,
  });
})();
