-- Ghost text for Neovim 0.10/0.11, which have no built-in inline completion: asks genls for
-- `textDocument/inlineCompletion` as the user types and draws the answer as an extmark.
local lsp = require("genls.lsp")
local suggestion_text = require("genls.suggestion_text")

local M = {}

M.ns = vim.api.nvim_create_namespace("genls_ghost")

local TRIGGER_AUTOMATIC = 2 -- InlineCompletionTriggerKind.Automatic

local config = { debounce_ms = 75, keymaps = {} }

---@class genls.Item
---@field text string what is left to insert at the anchor
---@field command lsp.Command?

---@class genls.Suggestion
---@field row integer 0-based line of the anchor (where the request was made)
---@field col integer byte column of the anchor
---@field before string the line up to the anchor, to notice edits before it
---@field after string the line after the cursor, to notice edits after it
---@field typed string what the user typed since, matching the item
---@field items genls.Item[]
---@field index integer

---@class genls.BufState
---@field timer uv.uv_timer_t?
---@field pending {client: vim.lsp.Client, id: integer}?
---@field seq integer bumped per request: answers to older ones are dropped
---@field key string? changedtick and cursor the current request or suggestion belongs to
---@field suggestion genls.Suggestion?

---@type table<integer, genls.BufState>
local buffers = {}

local function state(bufnr)
  local st = buffers[bufnr]
  if not st then
    st = { seq = 0 }
    buffers[bufnr] = st
  end
  return st
end

local function resolve(bufnr)
  return (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
end

local function in_insert_mode()
  return vim.api.nvim_get_mode().mode:sub(1, 1) == "i"
end

--- Cursor as 0-based row and byte column, as extmarks and buf_set_text want it.
local function cursor()
  local pos = vim.api.nvim_win_get_cursor(0)
  return pos[1] - 1, pos[2]
end

local function line_at(bufnr, row)
  return vim.api.nvim_buf_get_lines(bufnr, row, row + 1, false)[1] or ""
end

local function position_key(bufnr)
  local row, col = cursor()
  return ("%d:%d:%d"):format(vim.api.nvim_buf_get_changedtick(bufnr), row, col)
end

local function remaining(s)
  return s.items[s.index].text:sub(#s.typed + 1)
end

local function hide(bufnr)
  if vim.api.nvim_buf_is_valid(bufnr) then
    vim.api.nvim_buf_clear_namespace(bufnr, M.ns, 0, -1)
  end
end

--- Forgets the suggestion and any request or timer for it.
function M.clear(bufnr)
  bufnr = resolve(bufnr)
  local st = buffers[bufnr]
  if not st then
    return
  end
  if st.timer then
    st.timer:stop()
  end
  lsp.cancel_pending(st)
  st.suggestion = nil
  st.key = nil
  hide(bufnr)
end

local function render(bufnr)
  local st = buffers[bufnr]
  local s = st and st.suggestion
  hide(bufnr)
  if not s then
    return
  end
  -- Virtual text shows tabs as-is; spaces keep the indentation of later lines readable.
  local tab = string.rep(" ", vim.bo[bufnr].tabstop)
  local lines = vim.split(remaining(s), "\n", { plain = true })
  for i, text in ipairs(lines) do
    lines[i] = text:gsub("\t", tab)
  end
  local opts = { hl_mode = "combine", priority = 4096 }
  if lines[1] ~= "" then
    -- "inline" pushes the rest of the line right, as if the text were typed.
    opts.virt_text = { { lines[1], "GenlsGhost" } }
    opts.virt_text_pos = "inline"
  end
  if #lines > 1 then
    opts.virt_lines = {}
    for i = 2, #lines do
      table.insert(opts.virt_lines, { { lines[i], "GenlsGhost" } })
    end
  end
  pcall(vim.api.nvim_buf_set_extmark, bufnr, M.ns, s.row, s.col + #s.typed, opts)
end

--- The answer's items as text to insert at the cursor. An item whose range starts before the
--- cursor repeats what is already typed; that part is dropped (or the item, if it differs).
--- An item that replaces other text is no ghost text: genls offers the same edit through
--- genls/nextEdit, which genls.next_edit previews where it applies.
local function normalize(result, position, col, line, encoding)
  local list = result and (result.items or result) or {}
  local items = {}
  for _, item in ipairs(list) do
    local text = item.insertText
    if type(text) == "table" then
      text = text.value -- a snippet StringValue; shown and inserted as plain text
    end
    if not lsp.at_cursor(item, position) then
      text = nil
    end
    local range = item.range
    if type(text) == "string" and range then
      local start = lsp.byte_col(line, range.start.character, encoding)
      if start < col then
        local typed = line:sub(start + 1, col)
        text = text:sub(1, #typed) == typed and text:sub(#typed + 1) or nil
      end
    end
    if type(text) == "string" and text ~= "" then
      table.insert(items, { text = text, command = item.command })
    end
  end
  return items
end

--- Asks the server for a suggestion at the cursor of `bufnr` (the current buffer) now.
---@param bufnr integer?
---@return boolean sent
function M.request(bufnr)
  bufnr = resolve(bufnr)
  if bufnr ~= vim.api.nvim_get_current_buf() then
    return false
  end
  local client = lsp.client(bufnr)
  if not client then
    return false
  end
  local st = state(bufnr)
  lsp.cancel_pending(st)
  local seq = st.seq
  local key = position_key(bufnr)
  local row, col = cursor()
  local line = line_at(bufnr, row)
  local encoding = client.offset_encoding
  local params = vim.lsp.util.make_position_params(0, encoding)
  params.context = { triggerKind = TRIGGER_AUTOMATIC }

  local id = lsp.request(client, "textDocument/inlineCompletion", params, function(err, result)
    if st.seq ~= seq then
      return -- a newer request (or a clear) replaced this one
    end
    st.pending = nil
    -- The user may have typed or moved while the model ran: this answer is for another place.
    if err or not vim.api.nvim_buf_is_valid(bufnr) or not in_insert_mode()
      or vim.api.nvim_get_current_buf() ~= bufnr or position_key(bufnr) ~= key then
      return
    end
    local items = normalize(result, params.position, col, line, encoding)
    require("genls.status").refresh(bufnr)
    if #items == 0 then
      return
    end
    st.suggestion = {
      row = row,
      col = col,
      before = line:sub(1, col),
      after = line:sub(col + 1),
      typed = "",
      items = items,
      index = 1,
    }
    render(bufnr)
  end, bufnr)
  if not id then
    return false
  end
  st.pending = { client = client, id = id }
  st.key = key
  return true
end

--- Keeps the suggestion when the edit since it was made is typing its next characters.
---@return boolean kept
local function follow_typing(bufnr, s)
  local row, col = cursor()
  if row ~= s.row or col < s.col then
    return false
  end
  local line = line_at(bufnr, row)
  if line:sub(1, s.col) ~= s.before or line:sub(col + 1) ~= s.after then
    return false
  end
  local typed = line:sub(s.col + 1, col)
  local text = s.items[s.index].text
  -- All of it typed: the next suggestion (already speculated by the server) takes over.
  if #typed >= #text or text:sub(1, #typed) ~= typed then
    return false
  end
  s.typed = typed
  render(bufnr)
  return true
end

local function schedule(bufnr)
  local st = state(bufnr)
  st.timer = st.timer or vim.uv.new_timer()
  st.timer:stop()
  st.timer:start(config.debounce_ms, 0, vim.schedule_wrap(function()
    if vim.api.nvim_buf_is_valid(bufnr) and in_insert_mode()
      and vim.api.nvim_get_current_buf() == bufnr then
      M.request(bufnr)
    end
  end))
end

--- TextChangedI / CursorMovedI / InsertEnter.
local function on_change(bufnr)
  local st = state(bufnr)
  local key = position_key(bufnr)
  -- Both CursorMovedI and TextChangedI fire for one keystroke; the second has nothing new.
  if st.key == key and (st.pending or st.suggestion) then
    return
  end
  if st.suggestion and follow_typing(bufnr, st.suggestion) then
    st.key = key
    return
  end
  M.clear(bufnr)
  st.key = key
  schedule(bufnr)
end

--- Whether a suggestion is on screen in `bufnr` (the current buffer).
function M.visible(bufnr)
  local st = buffers[resolve(bufnr)]
  return st ~= nil and st.suggestion ~= nil
end

--- The text still to be inserted by a full accept, or nil.
function M.text(bufnr)
  local st = buffers[resolve(bufnr)]
  return st and st.suggestion and remaining(st.suggestion) or nil
end

--- Inserts `text` at the cursor and leaves the cursor after it.
local function insert(bufnr, text)
  local row, col = cursor()
  local lines = vim.split(text, "\n", { plain = true })
  vim.api.nvim_buf_set_text(bufnr, row, col, row, col, lines)
  local last = row + #lines - 1
  local end_col = (#lines == 1 and col or 0) + #lines[#lines]
  vim.api.nvim_win_set_cursor(0, { last + 1, end_col })
end

--- Accepts the suggestion: `what` is "all" (default), "word" or "line".
---@param what? "all"|"word"|"line"
---@return boolean accepted
function M.accept(what)
  local bufnr = vim.api.nvim_get_current_buf()
  local st = buffers[bufnr]
  local s = st and st.suggestion
  if not s then
    return false
  end
  local rest = remaining(s)
  local part = what == "word" and suggestion_text.next_word(rest)
    or what == "line" and suggestion_text.next_line(rest)
    or rest
  local item = s.items[s.index]
  -- Forget the suggestion before editing so the edit's events do not try to follow it.
  M.clear(bufnr)
  insert(bufnr, part)
  if #part < #rest then
    -- Partly accepted: keep showing the rest from the new cursor, without a new request.
    local row, col = cursor()
    local line = line_at(bufnr, row)
    st.suggestion = {
      row = row,
      col = col,
      before = line:sub(1, col),
      after = line:sub(col + 1),
      typed = "",
      -- The command stays: it runs once the whole item is in, with the offset it names.
      items = { { text = rest:sub(#part + 1), command = item.command } },
      index = 1,
    }
    st.key = position_key(bufnr)
    render(bufnr)
    return true
  end
  local client = lsp.client(bufnr)
  if item.command and client then
    -- genls.acceptedCompletion: the server starts on the suggestion after this one.
    lsp.exec_cmd(client, item.command, bufnr)
  end
  return true
end

function M.accept_word()
  return M.accept("word")
end

function M.accept_line()
  return M.accept("line")
end

--- Shows the next (delta 1) or previous (-1) item that still fits what was typed.
function M.cycle(delta)
  local st = buffers[vim.api.nvim_get_current_buf()]
  local s = st and st.suggestion
  if not s then
    return false
  end
  for _ = 1, #s.items do
    s.index = (s.index - 1 + delta) % #s.items + 1
    local text = s.items[s.index].text
    if #text > #s.typed and text:sub(1, #s.typed) == s.typed then
      break
    end
  end
  render(vim.api.nvim_get_current_buf())
  return true
end

function M.next()
  return M.cycle(1)
end

function M.prev()
  return M.cycle(-1)
end

function M.dismiss()
  M.clear(0)
  return true
end

local ACTIONS = {
  accept = "accept",
  accept_word = "accept_word",
  accept_line = "accept_line",
  next = "next",
  prev = "prev",
  dismiss = "dismiss",
}

local function map_keys(bufnr)
  for name, action in pairs(ACTIONS) do
    local lhs = config.keymaps[name]
    if lhs and lhs ~= "" then
      -- An expr mapping can hand the key back unchanged when there is nothing to accept,
      -- so <Tab> still indents (or takes a next edit that is shown); <Cmd> runs the action
      -- outside the expr's textlock.
      vim.keymap.set("i", lhs, function()
        if not M.visible(bufnr) then
          return require("genls.next_edit").key_or(name, lhs)
        end
        return ("<Cmd>lua require('genls.ghost').%s()<CR>"):format(action)
      end, { buffer = bufnr, expr = true, silent = true, desc = "genls: " .. name })
    end
  end
end

local function unmap_keys(bufnr)
  for name in pairs(ACTIONS) do
    local lhs = config.keymaps[name]
    if lhs and lhs ~= "" then
      pcall(vim.keymap.del, "i", lhs, { buffer = bufnr })
    end
  end
end

--- Starts ghost text in `bufnr`.
function M.attach(bufnr)
  local group = vim.api.nvim_create_augroup("genls_ghost_" .. bufnr, { clear = true })
  vim.api.nvim_create_autocmd({ "InsertEnter", "CursorMovedI", "TextChangedI", "TextChangedP" }, {
    group = group,
    buffer = bufnr,
    callback = function()
      on_change(bufnr)
    end,
  })
  vim.api.nvim_create_autocmd({ "InsertLeave", "BufLeave" }, {
    group = group,
    buffer = bufnr,
    callback = function()
      M.clear(bufnr)
    end,
  })
  vim.api.nvim_create_autocmd({ "BufUnload", "BufWipeout" }, {
    group = group,
    buffer = bufnr,
    callback = function()
      M.detach(bufnr)
    end,
  })
  map_keys(bufnr)
  -- Attaching while the user already types (the server just started): start right away.
  if in_insert_mode() and bufnr == vim.api.nvim_get_current_buf() then
    on_change(bufnr)
  end
end

--- Stops ghost text in `bufnr`.
function M.detach(bufnr)
  M.clear(bufnr)
  pcall(vim.api.nvim_del_augroup_by_name, "genls_ghost_" .. bufnr)
  if vim.api.nvim_buf_is_valid(bufnr) then
    unmap_keys(bufnr)
  end
  local st = buffers[bufnr]
  if st and st.timer then
    st.timer:close()
  end
  buffers[bufnr] = nil
end

---@param opts table the merged genls options
---@param group integer the plugin's augroup
function M.setup(opts, group)
  config = opts
  -- Linked, not set: colorschemes that define GenlsGhost (or Comment) win.
  vim.api.nvim_set_hl(0, "GenlsGhost", { link = "Comment", default = true })
  lsp.on_genls_buffers(group, M.attach, M.detach)
end

return M
