// esbuild entry for three-lesson.min.js: the parts of three.js the lesson page uses, as one
// classic script (window.THREE) so the page can inline it and run from file:// without modules.
import {
  AmbientLight,
  BufferAttribute,
  BufferGeometry,
  Color,
  DirectionalLight,
  DoubleSide,
  Group,
  HemisphereLight,
  Matrix4,
  Mesh,
  MeshStandardMaterial,
  PerspectiveCamera,
  Scene,
  Vector3,
  WebGLRenderer,
  REVISION,
} from "three";
import { OrbitControls } from "three/addons/controls/OrbitControls.js";

window.THREE = {
  AmbientLight,
  BufferAttribute,
  BufferGeometry,
  Color,
  DirectionalLight,
  DoubleSide,
  Group,
  HemisphereLight,
  Matrix4,
  Mesh,
  MeshStandardMaterial,
  PerspectiveCamera,
  Scene,
  Vector3,
  WebGLRenderer,
  REVISION,
  OrbitControls,
};
