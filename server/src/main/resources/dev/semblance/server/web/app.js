// The page of the Semblance service: recognise the faces of a photo (uploaded or taken with the
// camera), draw their boxes and names, enrol a face under a name, list subjects. It only calls
// the public API, with the key typed above (kept in sessionStorage, sent as X-Api-Key).
'use strict';

const $ = (id) => document.getElementById(id);
const state = { blob: null, faces: [], selected: -1, subjectsPage: 0 };

$('api-key').value = sessionStorage.getItem('semblance-key') || '';
$('api-key').addEventListener('change', () => {
  sessionStorage.setItem('semblance-key', $('api-key').value.trim());
  listSubjects();
});

function status(text, isError) {
  $('status').textContent = text;
  $('status').className = isError ? 'error' : '';
}

async function call(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: { 'X-Api-Key': $('api-key').value.trim() },
    body,
  });
  const json = await response.json();
  if (!response.ok) {
    const error = new Error(json.message || response.statusText);
    error.code = json.code;
    throw error;
  }
  return json;
}

function form(fields) {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    if (value instanceof Blob) data.append(name, value, name + '.jpg');
    else data.append(name, value);
  }
  return data;
}

async function show(blob) {
  state.blob = blob;
  state.selected = -1;
  $('enrol').disabled = true;
  const picture = $('picture');
  if (picture.src) URL.revokeObjectURL(picture.src);
  picture.src = URL.createObjectURL(blob);
  try {
    await picture.decode();
  } catch (e) {
    status(`this browser cannot show the photo: ${e.message}`, true);
    return;
  }
  await recognize();
}

async function recognize() {
  clearBoxes();
  status('recognising…');
  try {
    const result = await call('POST', '/api/v1/recognize', form({ file: state.blob }));
    state.faces = result.faces;
    drawBoxes(result.image);
    const known = result.faces.filter((f) => f.match).length;
    status(`${result.faces.length} face(s), ${known} known, threshold ${result.threshold.toFixed(3)}`);
  } catch (e) {
    status(`recognition failed: ${e.message}`, true);
  }
}

function clearBoxes() {
  document.querySelectorAll('#stage .face').forEach((box) => box.remove());
}

function drawBoxes(image) {
  const picture = $('picture');
  const scale = picture.clientWidth / image.width;
  state.faces.forEach((face, i) => {
    const box = document.createElement('div');
    box.className = 'face' + (face.match ? ' known' : '');
    box.style.left = `${face.box.left * scale}px`;
    box.style.top = `${face.box.top * scale}px`;
    box.style.width = `${(face.box.right - face.box.left) * scale}px`;
    box.style.height = `${(face.box.bottom - face.box.top) * scale}px`;
    const label = document.createElement('span');
    label.className = 'face-label';
    label.textContent = face.match
      ? `${face.match.subject} ${face.match.similarity.toFixed(2)}`
      : 'unknown';
    box.appendChild(label);
    box.addEventListener('click', () => select(i));
    $('stage').appendChild(box);
  });
  if (state.faces.length === 1) select(0);
}

function select(i) {
  state.selected = i;
  document.querySelectorAll('#stage .face').forEach((box, j) => {
    box.classList.toggle('selected', j === i);
  });
  $('enrol').disabled = false;
}

// The selected face with a margin of one face around it, at the photo's own resolution: the
// server enrols the main face of what it is sent.
async function cropSelected() {
  const picture = $('picture');
  const b = state.faces[state.selected].box;
  const w = b.right - b.left;
  const h = b.bottom - b.top;
  const left = Math.max(0, Math.floor(b.left - w));
  const top = Math.max(0, Math.floor(b.top - h));
  const right = Math.min(picture.naturalWidth, Math.ceil(b.right + w));
  const bottom = Math.min(picture.naturalHeight, Math.ceil(b.bottom + h));
  const canvas = document.createElement('canvas');
  canvas.width = right - left;
  canvas.height = bottom - top;
  canvas.getContext('2d').drawImage(picture, left, top, canvas.width, canvas.height,
    0, 0, canvas.width, canvas.height);
  return new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.95));
}

async function enrol() {
  const name = $('enrol-name').value.trim();
  if (!name || state.selected < 0) {
    status('select a face and type a name first', true);
    return;
  }
  try {
    const face = await cropSelected();
    let result;
    try {
      result = await call('POST', '/api/v1/subjects', form({ subject: name, file: face }));
    } catch (e) {
      if (e.code !== 'subject_exists') throw e;
      result = await call('POST', `/api/v1/subjects/${encodeURIComponent(name)}/faces`,
        form({ file: face }));
    }
    status(`enrolled ${result.subject} (face ${result.image_id})`);
    await listSubjects();
    await recognize();
  } catch (e) {
    status(`enrolment failed: ${e.message}`, true);
  }
}

const SUBJECTS_PER_PAGE = 100;

async function listSubjects() {
  const list = $('subjects');
  if (!$('api-key').value.trim()) return;
  try {
    let page = await call('GET', `/api/v1/subjects?size=${SUBJECTS_PER_PAGE}&page=${state.subjectsPage}`);
    if (page.subjects.length === 0 && state.subjectsPage > 0) { // the last page emptied
      state.subjectsPage = Math.max(0, Math.ceil(page.total / SUBJECTS_PER_PAGE) - 1);
      page = await call('GET', `/api/v1/subjects?size=${SUBJECTS_PER_PAGE}&page=${state.subjectsPage}`);
    }
    list.replaceChildren(...page.subjects.map((s) => {
      const item = document.createElement('li');
      item.textContent = `${s.subject} (${s.faces} face${s.faces === 1 ? '' : 's'})`;
      return item;
    }));
    const first = page.page * page.size;
    $('subjects-range').textContent = page.total === 0 ? 'none'
      : `${first + 1}–${first + page.subjects.length} of ${page.total}`;
    $('subjects-previous').disabled = page.page === 0;
    $('subjects-next').disabled = first + page.subjects.length >= page.total;
  } catch (e) {
    list.replaceChildren();
    // A recognize-only key may not list subjects: the page still recognises with it.
    if (e.code !== 'forbidden') status(`cannot list subjects: ${e.message}`, true);
  }
}

async function startCamera() {
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ video: true });
    $('camera').srcObject = stream;
    $('camera').style.display = 'block';
    $('camera-capture').disabled = false;
  } catch (e) {
    status(`no camera: ${e.message}`, true);
  }
}

function capture() {
  const video = $('camera');
  const canvas = document.createElement('canvas');
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  canvas.getContext('2d').drawImage(video, 0, 0);
  canvas.toBlob((blob) => show(blob), 'image/jpeg', 0.95);
}

$('photo').addEventListener('change', () => {
  if ($('photo').files.length) show($('photo').files[0]);
});
$('enrol').addEventListener('click', enrol);
$('subjects-refresh').addEventListener('click', listSubjects);
$('subjects-previous').addEventListener('click', () => { state.subjectsPage--; listSubjects(); });
$('subjects-next').addEventListener('click', () => { state.subjectsPage++; listSubjects(); });
$('camera-start').addEventListener('click', startCamera);
$('camera-capture').addEventListener('click', capture);
listSubjects();
