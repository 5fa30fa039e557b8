// 新建培训班: when the course changes, propose its next 期数 (the server put each
// course's next number on the course select as JSON). A number the administrator
// typed is left alone; only an empty or previously proposed one is replaced.
(function () {
  "use strict";
  function init() {
    var course = document.querySelector("select[data-next-numbers]");
    var number = document.getElementById("id_number");
    if (!course || !number) return;
    var next = JSON.parse(course.getAttribute("data-next-numbers"));
    var proposed = number.value;
    course.addEventListener("change", function () {
      if (number.value !== "" && number.value !== proposed) return;
      proposed = String(next[course.value] || 1);
      number.value = proposed;
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
