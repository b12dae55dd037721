// The sample travel CRM's front end: lists the newest bookings and leads.
// Served by GET /static/app.js — with a one-year Cache-Control in after mode only.
"use strict";

const API = window.location.origin;

async function getJson(path) {
  const response = await fetch(API + path, { headers: { Accept: "application/json" } });
  if (!response.ok) {
    throw new Error(`${path}: HTTP ${response.status}`);
  }
  return response.json();
}

function row(cells) {
  const tr = document.createElement("tr");
  for (const cell of cells) {
    const td = document.createElement("td");
    td.textContent = cell === undefined || cell === null ? "" : String(cell);
    tr.appendChild(td);
  }
  return tr;
}

function fillTable(id, items, columns) {
  const table = document.getElementById(id);
  if (!table) {
    return;
  }
  table.replaceChildren(row(columns));
  for (const item of items) {
    table.appendChild(row(columns.map((column) => item[column])));
  }
}

async function refresh() {
  try {
    const bookings = await getJson("/api/bookings?limit=20&fields=reference,status,total,currency,createdAt");
    fillTable("bookings", bookings.items, ["reference", "status", "total", "currency", "createdAt"]);
    const leads = await getJson("/api/leads?status=new&limit=20");
    fillTable("leads", leads.items, ["email", "destination", "pax", "budget", "createdAt"]);
  } catch (error) {
    const status = document.getElementById("status");
    if (status) {
      status.textContent = error.message;
    }
  }
}

document.addEventListener("DOMContentLoaded", refresh);
