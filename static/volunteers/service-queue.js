// 待审核: a "全选本页" checkbox ticks or clears every record on the page. Without
// JavaScript each record is still ticked one by one.
(function () {
  "use strict";
  const list = document.querySelector("[data-record-list]");
  const holder = document.querySelector("[data-select-all]");
  if (!list || !holder) return;
  const boxes = Array.from(list.querySelectorAll('input[type="checkbox"][name="record"]'));
  const all = holder.querySelector("input");
  holder.hidden = false;
  const sync = function () {
    const ticked = boxes.filter(function (box) { return box.checked; }).length;
    all.checked = ticked === boxes.length;
    all.indeterminate = ticked > 0 && ticked < boxes.length;
  };
  all.addEventListener("change", function () {
    boxes.forEach(function (box) { box.checked = all.checked; });
  });
  boxes.forEach(function (box) { box.addEventListener("change", sync); });
  sync();
})();
