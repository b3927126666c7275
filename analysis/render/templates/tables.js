// Each table of the report: sorted by a column when its header is clicked (again: the other
// way; empty cells last), filtered to the rows holding the text typed above it.
"use strict";
for (const table of document.querySelectorAll("table.data")) {
  const body = table.tBodies[0];
  const rows = Array.from(body.rows);
  const input = document.createElement("input");
  input.type = "search";
  input.placeholder = "filter rows";
  const count = document.createElement("span");
  const label = document.createElement("label");
  label.className = "filter";
  label.append("Filter: ", input, count);
  table.parentElement.before(label);
  input.addEventListener("input", () => {
    const text = input.value.trim().toLowerCase();
    let matching = 0;
    for (const row of rows) {
      row.hidden = !row.textContent.toLowerCase().includes(text);
      matching += row.hidden ? 0 : 1;
    }
    count.textContent = text ? ` ${matching} of ${rows.length} rows` : "";
  });
  const headers = Array.from(table.tHead.rows[0].cells);
  headers.forEach((header, column) => {
    const button = document.createElement("button");
    button.type = "button";
    button.append(...header.childNodes);
    header.append(button);
    button.addEventListener("click", () => {
      const ascending = header.getAttribute("aria-sort") !== "ascending";
      headers.forEach((other) => other.removeAttribute("aria-sort"));
      header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      const numeric = header.classList.contains("number");
      const key = (row) => {
        const cell = row.cells[column];
        return numeric ? Number.parseFloat(cell.dataset.sort) : cell.textContent;
      };
      const empty = (value) => (numeric ? Number.isNaN(value) : value === "");
      rows.sort((a, b) => {
        const [x, y] = [key(a), key(b)];
        if (empty(x) || empty(y)) return empty(x) - empty(y);
        const order = numeric ? (x > y) - (x < y) : x.localeCompare(y);
        return ascending ? order : -order;
      });
      body.append(...rows);
    });
  });
}
