// The workbench's only script, served as a file so that the Content-Security-Policy can forbid
// inline scripts. Every page works without it; it adds two conveniences:
//  - 复制链接: a button with data-copy="ID" copies the read-only field ID to the clipboard;
//  - a form with data-confirm="问题" asks before it is sent (deleting a file cannot be undone).
"use strict";
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  const field = document.getElementById(button.dataset.copy);
  const said = button.parentElement.querySelector(".copied");
  field.select();
  const done = () => { if (said) said.textContent = "已复制"; };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(field.value).then(done, () => { document.execCommand("copy"); done(); });
  } else {
    document.execCommand("copy");
    done();
  }
});
document.addEventListener("submit", (event) => {
  const question = event.target.dataset.confirm;
  if (question && !window.confirm(question)) event.preventDefault();
});
