-- What genls is doing, for status lines and :GenlsStatus. The status line must never wait
-- on the server, so it reads a cache that `genls.status` answers refresh in the background.
local lsp = require("genls.lsp")

local M = {}

local STATUS = { title = "genls status", command = "genls.status", arguments = {} }

---@class genls.StatusCache
---@field model string? the configured model name (settings.model)
---@field description string? what the server loaded, once it did
---@field version string?
---@field latency_ms integer? the newest finished generation
---@field tokens integer? tokens it generated
local cache = {}
-- When the running refresh started; a lost answer (server killed) must not block later ones.
local refreshing_since = nil
local REFRESH_STALE_NS = 10 * 1e9
-- The server's running $/progress (indexing), from the LspProgress autocmd:
-- progress[client_id][token] = { title, message, percentage, seq }. Kept here rather than
-- read with vim.lsp.status(), which empties the client's queue for every other consumer.
local progress = {}
local progress_seq = 0

--- The newest generation that ran to the end (cancelled ones say little about speed).
local function last_generation(status)
  local recent = status.recentGenerations or {}
  for i = #recent, 1, -1 do
    if not recent[i].cancelled then
      return recent[i]
    end
  end
  return nil
end

local function remember(status)
  cache.version = status.version
  cache.model = status.settings and status.settings.model or cache.model
  cache.description = status.model ~= vim.NIL and status.model or nil
  local last = last_generation(status)
  if last then
    cache.latency_ms = math.floor(last.seconds * 1000 + 0.5)
    cache.tokens = last.generated_tokens
  end
end

--- Asks `genls.status` and calls `callback(err, status)`; nil when no client runs.
local function fetch(bufnr, callback)
  local client = lsp.client(bufnr) or lsp.any_client()
  if not client then
    return nil
  end
  lsp.exec_cmd(client, STATUS, bufnr, function(err, result)
    if not err and type(result) == "table" then
      remember(result)
    end
    callback(err, result)
  end)
  return true
end

local function notify_changed()
  -- Status line plugins (lualine, heirline) can listen for this to redraw.
  pcall(vim.api.nvim_exec_autocmds, "User", { pattern = "GenlsStatus", modeline = false })
  pcall(vim.cmd.redrawstatus)
end

--- Refreshes the cache in the background (one request at a time).
function M.refresh(bufnr)
  local now = vim.uv.hrtime()
  if refreshing_since and now - refreshing_since < REFRESH_STALE_NS then
    return
  end
  refreshing_since = now
  local sent = fetch(bufnr or 0, function()
    refreshing_since = nil
    notify_changed()
  end)
  if not sent then
    refreshing_since = nil
  end
end

---@return genls.StatusCache
function M.cached()
  return vim.deepcopy(cache)
end

--- LspProgress: remembers genls's running progress, forgets it on "end".
local function on_progress(args)
  local data = args.data or {}
  local client = data.client_id and vim.lsp.get_client_by_id(data.client_id)
  local params = data.params or {}
  local value = params.value
  if not client or client.name ~= lsp.NAME or type(value) ~= "table" or params.token == nil then
    return
  end
  local running = progress[data.client_id] or {}
  progress[data.client_id] = running
  if value.kind == "end" then
    running[params.token] = nil
  else
    local item = running[params.token]
    if not item then
      progress_seq = progress_seq + 1
      item = { seq = progress_seq }
      running[params.token] = item
    end
    item.title = value.title or item.title
    item.message = value.message or item.message
    item.percentage = value.percentage or item.percentage
  end
  notify_changed()
end

--- The newest running genls progress as "indexing: 12/40 files 30%"; nil when none runs.
---@return string?
function M.progress()
  local newest
  for client_id, running in pairs(progress) do
    if vim.lsp.get_client_by_id(client_id) then
      for _, item in pairs(running) do
        if not newest or item.seq > newest.seq then
          newest = item
        end
      end
    end
  end
  if not newest then
    return nil
  end
  local parts = { (tostring(newest.title or "working"):gsub("^genls:%s*", "")) }
  if newest.message and newest.message ~= "" then
    parts[1] = parts[1] .. ":"
    table.insert(parts, newest.message)
  end
  if newest.percentage then
    table.insert(parts, ("%d%%"):format(newest.percentage))
  end
  return table.concat(parts, " ")
end

--- "genls: <model> 120ms", "genls: <model>" before the first completion, "" without server;
--- while the server reports progress, "genls: <model> [indexing: 12/40 files 30%]".
function M.statusline()
  if not lsp.any_client() then
    return ""
  end
  local text = "genls: " .. (cache.model or "starting")
  if cache.latency_ms then
    text = text .. (" %dms"):format(cache.latency_ms)
  end
  local running = M.progress()
  if running then
    text = text .. (" [%s]"):format(running)
  end
  return text
end

local function describe(status)
  local last = last_generation(status)
  local model = status.settings and status.settings.model or "?"
  if status.model and status.model ~= vim.NIL then
    model = ("%s (%s)"):format(model, status.model)
  else
    model = model .. " (not loaded yet)"
  end
  local latency = last
      and ("%d ms, %d tokens"):format(math.floor(last.seconds * 1000 + 0.5),
        last.generated_tokens or 0)
    or "none yet"
  return ("genls %s\nmodel: %s\nlast completion: %s"):format(status.version or "?", model, latency)
end

--- :GenlsStatus
function M.show()
  local sent = fetch(0, function(err, result)
    if err then
      vim.notify("genls: status failed: " .. tostring(err.message or err), vim.log.levels.ERROR)
    else
      vim.notify(describe(result or {}), vim.log.levels.INFO)
    end
  end)
  if not sent then
    vim.notify("genls: no server is running (open a supported file)", vim.log.levels.WARN)
  end
end

M.describe = describe

function M.setup(group)
  vim.api.nvim_create_user_command("GenlsStatus", M.show, {
    desc = "genls: show the model and the last completion's latency",
  })
  lsp.on_genls_buffers(group, M.refresh)
  vim.api.nvim_create_autocmd("LspProgress", {
    group = group,
    desc = "genls: show the server's progress (indexing) in the status line",
    callback = on_progress,
  })
  vim.api.nvim_create_autocmd("LspDetach", {
    group = group,
    callback = function(args)
      local client_id = args.data and args.data.client_id
      -- The client stays listed during LspDetach; forget its progress once it is gone.
      vim.schedule(function()
        if client_id and progress[client_id] and not vim.lsp.get_client_by_id(client_id) then
          progress[client_id] = nil
          notify_changed()
        end
      end)
    end,
  })
end

return M
