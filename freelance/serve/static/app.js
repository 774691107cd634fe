// freelance serve: drag a card to another column of a board. The drop submits the card's
// own "move" form (the same POST as choosing a column and pressing "move"), so the page is
// redrawn with the new rollups, and nothing here can change the book on its own.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var dragged = null;
  document.querySelectorAll(".card[draggable=true]").forEach(function (card) {
    card.addEventListener("dragstart", function (ev) {
      dragged = card;
      card.classList.add("dragging");
      ev.dataTransfer.effectAllowed = "move";
      ev.dataTransfer.setData("text/plain", card.dataset.id);
    });
    card.addEventListener("dragend", function () {
      card.classList.remove("dragging");
      document.querySelectorAll(".column.over").forEach(function (c) { c.classList.remove("over"); });
    });
  });
  document.querySelectorAll(".board .column").forEach(function (column) {
    column.addEventListener("dragover", function (ev) {
      if (!dragged) { return; }
      ev.preventDefault();
      ev.dataTransfer.dropEffect = "move";
      column.classList.add("over");
    });
    column.addEventListener("dragleave", function () { column.classList.remove("over"); });
    column.addEventListener("drop", function (ev) {
      ev.preventDefault();
      column.classList.remove("over");
      var card = dragged;
      dragged = null;
      if (!card || card.dataset.column === column.dataset.column) { return; }
      var form = card.querySelector("form.move");
      form.querySelector("select[name=to]").value = column.dataset.column;
      column.querySelector(".cards").appendChild(card);
      card.classList.add("moving");
      form.submit();
    });
  });
});
