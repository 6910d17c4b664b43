// /admin/training: while a build runs, show its step and log as they come, then reload the page
// (scores and the publish form appear when it is done). No inline script: the CSP forbids it.
const STEP_TITLES = { validate: "Kiểm tra dữ liệu", train: "Huấn luyện", evaluate: "Đánh giá", done: "Xong" };
const STATUS_TITLES = { running: "Đang chạy", succeeded: "Hoàn tất", failed: "Thất bại", interrupted: "Bị gián đoạn" };

async function poll(section) {
  const response = await fetch(section.dataset.progressUrl, { credentials: "same-origin" });
  if (!response.ok) return true;
  const build = await response.json();
  const status = document.getElementById("build-status");
  status.textContent = STATUS_TITLES[build.status] || build.status;
  status.dataset.status = build.status;
  document.getElementById("build-step").textContent = STEP_TITLES[build.step] || build.step;
  const log = document.getElementById("build-log");
  log.textContent = build.log;
  log.scrollTop = log.scrollHeight;
  if (!build.running) window.location.reload();
  return build.running;
}

document.addEventListener("DOMContentLoaded", () => {
  const section = document.getElementById("build");
  if (!section || section.dataset.running !== "1") return;
  const tick = async () => {
    let again = true;
    try { again = await poll(section); } catch { again = true; }
    if (again) window.setTimeout(tick, 2000);
  };
  window.setTimeout(tick, 1000);
});
