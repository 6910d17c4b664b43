// The staff console's only script: asks before a form marked data-confirm is sent.
// (No inline scripts: the pages' Content-Security-Policy allows scripts from this origin only.)
document.addEventListener("submit", (event) => {
  const form = event.target;
  const question = form instanceof HTMLFormElement ? form.dataset.confirm : undefined;
  if (question && !window.confirm(question)) event.preventDefault();
});
