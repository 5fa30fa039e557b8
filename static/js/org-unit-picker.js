/*
 * 街道 › 社区 › 网格, one step at a time.
 *
 * Progressive enhancement of a <select data-org-unit-picker> rendered by
 * school.forms.OrgUnitSelect: options grouped by community, each carrying
 * data-street, data-community, data-kind and data-name. Without this script that
 * grouped list works on its own. With it, the list is hidden (it still holds the
 * value the form sends) and three native selects stand in its place: choosing a
 * street fills the communities, choosing a community fills its grids. Native
 * selects work with the keyboard, with screen readers and on phones.
 * The words come from the select's data-label-* attributes (translated on the
 * server); this file holds none.
 */
(function () {
  "use strict";

  function option(value, text) {
    var element = document.createElement("option");
    element.value = value;
    element.textContent = text;
    return element;
  }

  function fill(select, placeholder, entries) {
    select.replaceChildren(option("", placeholder));
    entries.forEach(function (entry) {
      select.append(option(entry.value, entry.text));
    });
    select.disabled = entries.length === 0;
  }

  function step(id, labelText) {
    var wrapper = document.createElement("div");
    wrapper.className = "org-unit-picker__step";
    var label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = labelText;
    var select = document.createElement("select");
    select.id = id;
    wrapper.append(label, select);
    return { wrapper: wrapper, select: select };
  }

  function enhance(original) {
    var words = original.dataset;
    // street name -> community name -> [units]; in the order the server gave.
    var streets = new Map();
    Array.prototype.forEach.call(original.options, function (item) {
      if (!item.value) return;
      var street = item.dataset.street || "";
      var community = item.dataset.community || item.dataset.name || "";
      if (!streets.has(street)) streets.set(street, new Map());
      var communities = streets.get(street);
      if (!communities.has(community)) communities.set(community, []);
      communities.get(community).push({
        value: item.value,
        text:
          item.dataset.kind === "community"
            ? words.labelCommunityLevel
            : item.dataset.name || item.textContent,
      });
    });

    var fieldset = document.createElement("fieldset");
    fieldset.className = "org-unit-picker";
    var legend = document.createElement("legend");
    // The list's label becomes the group's legend (its "*" mark included).
    var originalLabel = document.querySelector('label[for="' + original.id + '"]');
    if (originalLabel) {
      legend.append.apply(legend, Array.from(originalLabel.childNodes));
      originalLabel.remove();
    }
    var street = step(original.id + "_street", words.labelStreet);
    var community = step(original.id + "_community", words.labelCommunity);
    var grid = step(original.id + "_grid", words.labelGrid);
    fieldset.append(legend, street.wrapper, community.wrapper, grid.wrapper);

    // Errors and help that the server tied to the list are tied to the steps.
    ["aria-describedby", "aria-invalid"].forEach(function (name) {
      if (original.hasAttribute(name)) {
        [street, community, grid].forEach(function (part) {
          part.select.setAttribute(name, original.getAttribute(name));
        });
      }
    });

    function entries(keys) {
      return Array.from(keys, function (key) {
        return { value: key, text: key };
      });
    }

    function showCommunities() {
      var communities = streets.get(street.select.value);
      fill(community.select, words.placeholderCommunity, communities ? entries(communities.keys()) : []);
      fill(grid.select, words.placeholderGrid, []);
      original.value = "";
    }

    function showGrids() {
      var communities = streets.get(street.select.value);
      var units = (communities && communities.get(community.select.value)) || [];
      fill(grid.select, words.placeholderGrid, units);
      // A community without grids has one choice: the community itself.
      grid.select.value = units.length === 1 ? units[0].value : "";
      original.value = grid.select.value;
    }

    fill(street.select, words.placeholderStreet, entries(streets.keys()));
    fill(community.select, words.placeholderCommunity, []);
    fill(grid.select, words.placeholderGrid, []);
    street.select.addEventListener("change", showCommunities);
    community.select.addEventListener("change", showGrids);
    grid.select.addEventListener("change", function () {
      original.value = grid.select.value;
    });

    // A form sent back with errors keeps the unit chosen before.
    var chosen = original.selectedOptions[0];
    if (chosen && chosen.value) {
      street.select.value = chosen.dataset.street || "";
      showCommunities();
      community.select.value = chosen.dataset.community || "";
      showGrids();
      grid.select.value = chosen.value;
      original.value = chosen.value;
    }

    original.hidden = true;
    original.after(fieldset);
  }

  function start() {
    document.querySelectorAll("select[data-org-unit-picker]").forEach(enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
